/** A node HTTPS client for tests that need many requests or raw sockets (curl per request is too slow for a flood). */
import { readFileSync } from "node:fs";
import { request as httpsRequest, Agent } from "node:https";
import { connect as tlsConnect } from "node:tls";

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly ms: number;
}

export interface Target {
  readonly url: string;
  readonly caPath: string;
}

export function httpsCall(
  target: Target,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${target.url}${path}`,
      {
        method,
        ca: readFileSync(target.caPath),
        agent: options.agent ?? false,
        headers: { ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}), ...options.headers },
        timeout: 60_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(options.body);
  });
}

export const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

/** Sends `head` over TLS as is (nothing after it) and resolves with the first bytes answered. */
export function rawTlsExchange(target: Target, head: string, timeoutMs = 10_000): Promise<{ text: string; ms: number }> {
  const { hostname, port } = new URL(target.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), ca: readFileSync(target.caPath), servername: "localhost" }, () => socket.write(head));
    let text = "";
    const timer = setTimeout(() => finish(new Error(`no answer in ${timeoutMs} ms; got ${JSON.stringify(text)}`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve({ text, ms: performance.now() - started });
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\r\n\r\n")) finish();
    });
    socket.on("error", (error) => (text === "" ? finish(error) : finish()));
    socket.on("close", () => finish(text === "" ? new Error("closed without an answer") : undefined));
  });
}

/** Median of the values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
