/** Argument parsers shared by sub-commands: clear errors for bad numbers. */
import { InvalidArgumentError } from "commander";

export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

export const eidOption = intOption(8, 254);
export const portOption = intOption(0, 65535);
