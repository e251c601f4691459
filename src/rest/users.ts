/**
 * REST users: a name, a role and a password hash. Passwords are never stored in clear:
 * the users file holds scrypt hashes ("scrypt$N$r$p$salt$hash", base64 parts), which
 * node:crypto checks without any native add-on.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { readFile } from "node:fs/promises";

/** bmcweb's predefined roles (redfish-core/include/privileges.hpp). */
export type Role = "Administrator" | "Operator" | "ReadOnly" | "NoAccess";
export const ROLES: readonly Role[] = ["Administrator", "Operator", "ReadOnly", "NoAccess"];

export type Privilege = "Login" | "ConfigureManager" | "ConfigureUsers" | "ConfigureSelf" | "ConfigureComponents";

/** What each role may do, as bmcweb maps them. */
export const PRIVILEGES_OF: Readonly<Record<Role, readonly Privilege[]>> = {
  Administrator: ["Login", "ConfigureManager", "ConfigureUsers", "ConfigureSelf", "ConfigureComponents"],
  Operator: ["Login", "ConfigureSelf", "ConfigureComponents"],
  ReadOnly: ["Login", "ConfigureSelf"],
  NoAccess: [],
};

export interface User {
  readonly username: string;
  readonly role: Role;
  /** "scrypt$N$r$p$<salt b64>$<hash b64>" */
  readonly passwordHash: string;
}

export class UsersFileError extends Error {
  override readonly name = "UsersFileError";
}

// N = 2^14 costs ~16 MiB and ~40 ms a check: slow for a guesser, cheap for an HMC.
const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes, with room to spare.
    scrypt(password, salt, KEY_BYTES, { ...options, maxmem: 256 * (options.N ?? 0) * (options.r ?? 0) + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** A hash for the users file. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, DEFAULT_SCRYPT);
  const { N, r, p } = DEFAULT_SCRYPT;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

interface ParsedHash {
  readonly options: ScryptOptions;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(hash: string): ParsedHash | undefined {
  const [scheme, n, r, p, salt, key] = hash.split("$");
  if (scheme !== "scrypt" || salt === undefined || key === undefined) return undefined;
  const options = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a hostile users file from asking for gigabytes per login.
  const sane =
    Number.isInteger(Math.log2(options.N)) &&
    options.N >= 1024 &&
    options.N <= 1 << 20 &&
    options.r >= 1 &&
    options.r <= 32 &&
    options.p >= 1 &&
    options.p <= 16;
  const keyBytes = Buffer.from(key, "base64");
  return sane && keyBytes.length >= 16 ? { options, salt: Buffer.from(salt, "base64"), key: keyBytes } : undefined;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (parsed === undefined) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.options);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Whom the server lets in. */
export class UserDirectory {
  private readonly byName: ReadonlyMap<string, User>;
  // A fixed hash to spend the same time on unknown names as on known ones.
  private dummyHash: string | null = null;

  constructor(users: readonly User[]) {
    this.byName = new Map(users.map((user) => [user.username, user]));
  }

  get size(): number {
    return this.byName.size;
  }

  /** Whether `username` is a configured user (unknown names share one check queue). */
  has(username: string): boolean {
    return this.byName.has(username);
  }

  /** The user when the password is right, else undefined. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = this.byName.get(username);
    if (user === undefined) {
      this.dummyHash ??= await hashPassword("not a password");
      await verifyPassword(password, this.dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  find(username: string): User | undefined {
    return this.byName.get(username);
  }
}

/** The OpenBMC simulator's default account; only ever used on a loopback listener. */
export const DEFAULT_USER = { username: "root", password: "0penBmc", role: "Administrator" } as const;

export async function defaultUsers(): Promise<UserDirectory> {
  return new UserDirectory([{ username: DEFAULT_USER.username, role: DEFAULT_USER.role, passwordHash: await hashPassword(DEFAULT_USER.password) }]);
}

/**
 * Reads `{"users":[{"username","role","passwordHash"}]}`. Throws UsersFileError naming
 * the first problem, so a typo never silently locks everyone out or lets anyone in.
 */
export async function loadUsersFile(path: string): Promise<UserDirectory> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new UsersFileError(`${path}: ${(error as Error).message}`);
  }
  const list = (document as { users?: unknown } | null)?.users;
  if (!Array.isArray(list) || list.length === 0) throw new UsersFileError(`${path}: expected {"users":[...]} with at least one user`);
  const users = list.map((entry: unknown, index) => checkUser(entry, `${path}: users[${index}]`));
  const names = new Set(users.map((user) => user.username));
  if (names.size !== users.length) throw new UsersFileError(`${path}: a username appears twice`);
  return new UserDirectory(users);
}

function checkUser(entry: unknown, where: string): User {
  const { username, role, passwordHash } = (entry ?? {}) as Record<string, unknown>;
  if (typeof username !== "string" || username === "" || username.includes(":")) {
    throw new UsersFileError(`${where}: username must be a non-empty string without ':'`);
  }
  if (!ROLES.includes(role as Role)) throw new UsersFileError(`${where}: role must be one of ${ROLES.join(", ")}`);
  if (typeof passwordHash !== "string" || parseHash(passwordHash) === undefined) {
    throw new UsersFileError(`${where}: passwordHash must be "scrypt$N$r$p$salt$hash" (see docs/rest.md)`);
  }
  return { username, role: role as Role, passwordHash };
}
