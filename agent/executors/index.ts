export * from "./types";
export { LocalExecutor, type LocalExecutorOptions } from "./local";
export { SlurmExecutor, type SlurmExecutorOptions } from "./slurm";
export type { SlurmJobInfo } from "./slurm-parse";
