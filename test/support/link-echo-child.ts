/**
 * Test child: the far end of a link on its stdin/stdout. Echoes every byte it reads.
 * --greet-first: writes 0x00..0xff straight to fd 1 before the link is opened, so before
 *   openStdioLink has touched the tty: shows a PtyChildLink's tty is raw before the first write.
 * --greet-after-open: writes 0x00..0xff through the link once it is open: shows openStdioLink
 *   itself makes a cooked tty raw.
 */
import { writeSync } from "node:fs";
import { openStdioLink } from "../../src/link/stdio-link.js";
import { allByteValues } from "./link-bytes.js";

if (process.argv.includes("--greet-first")) writeSync(1, allByteValues());

const link = openStdioLink();
link.on("data", (chunk) => link.write(chunk));
link.on("close", () => void link.close());

if (process.argv.includes("--greet-after-open")) link.write(allByteValues());
