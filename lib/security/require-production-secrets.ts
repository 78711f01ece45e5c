// Production refuses to start without its secrets (called from instrumentation.ts, Node.js runtime only).
export function requireProductionSecrets(env: NodeJS.ProcessEnv = process.env) {
  if (env.NODE_ENV !== "production" || env.NEXT_PHASE === "phase-production-build") return;
  const problems: string[] = [];
  if ((env.NEXTAUTH_SECRET ?? "").length < 32) problems.push("NEXTAUTH_SECRET must be set to a random string of at least 32 characters");
  if (!env.DATABASE_URL) problems.push("DATABASE_URL must be set");
  if (env.OIDC_ISSUER && (!env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET)) {
    problems.push("OIDC_ISSUER is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too");
  }
  if (problems.length) {
    console.error(`Beamline Retrain refuses to start:\n  - ${problems.join("\n  - ")}\n(npm start sets these for a local demo.)`);
    process.exit(1);
  }
}
