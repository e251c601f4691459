/**
 * Waits for something outside us (a bus name, a file, a process's answer) by asking again
 * every `intervalMs` until `check` returns a value. `check` may throw to stop at once.
 */
export async function pollUntil<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
