// Runs once when the dashboard server starts.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { requireProductionSecrets } = await import("@/lib/security/require-production-secrets");
  requireProductionSecrets();
}
