import bcrypt from "bcryptjs";

// bcrypt cost 12: about 0.2 s per check on these machines, which also slows password guessing.
const COST = Number(process.env.BCRYPT_COST ?? 12);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
