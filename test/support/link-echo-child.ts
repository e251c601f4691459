/**
 * Test child: the far end of a link on its stdin/stdout. Echoes every byte it reads.
 * --greet: before opening the link (so before openStdioLink touches the tty), writes the
 * 256 byte values straight to fd 1, to show the tty was raw before the child's first write.
 */
import { writeSync } from "node:fs";
import { openStdioLink } from "../../src/link/stdio-link.js";
import { allByteValues } from "./link-bytes.js";

if (process.argv.includes("--greet")) writeSync(1, allByteValues());

const link = openStdioLink();
link.on("data", (chunk) => link.write(chunk));
link.on("close", () => {
  void link.close();
});
