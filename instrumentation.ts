// Runs once when the dashboard server starts: production refuses to start without its secrets.
export function register() {
  if (process.env.NODE_ENV !== "production" || process.env.NEXT_PHASE === "phase-production-build") return;
  const problems: string[] = [];
  const secret = process.env.NEXTAUTH_SECRET ?? "";
  if (secret.length < 32) problems.push("NEXTAUTH_SECRET must be set to a random string of at least 32 characters");
  if (!process.env.DATABASE_URL) problems.push("DATABASE_URL must be set");
  if (process.env.OIDC_ISSUER && (!process.env.OIDC_CLIENT_ID || !process.env.OIDC_CLIENT_SECRET)) {
    problems.push("OIDC_ISSUER is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too");
  }
  if (problems.length) {
    console.error(`Beamline Retrain refuses to start:\n  - ${problems.join("\n  - ")}\n(npm start sets these for a local demo.)`);
    process.exit(1);
  }
}
