// Runs the model zoo's command line for the seed (`python -m beamline_zoo ...`) and returns its JSON lines.
import { execFileSync } from "node:child_process";
import path from "node:path";

const PYTHON = process.env.ZOO_PYTHON ?? "/usr/bin/python3";

export type ZooLine = { type: string } & Record<string, unknown>;

/** Runs one zoo command to its end; throws with the zoo's own message when it fails. */
export function runZoo(args: (string | number)[]): ZooLine[] {
  let out: string;
  try {
    out = execFileSync(PYTHON, ["-m", "beamline_zoo", ...args.map(String)], {
      env: { ...process.env, PYTHONPATH: path.resolve("zoo"), OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? "2" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const { stdout, message } = error as { stdout?: string; message: string };
    const reported = parseLines(stdout ?? "").find((line) => line.type === "error");
    throw new Error(`zoo ${args[0]} failed: ${reported ? String(reported.message) : message.split("\n")[0]}`);
  }
  return parseLines(out);
}

function parseLines(text: string): ZooLine[] {
  return text
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => JSON.parse(line) as ZooLine);
}

/** The last line of a type, or an error naming the command that did not report it. */
export function lastLine(lines: ZooLine[], type: string, command: string): ZooLine {
  const line = lines.findLast((l) => l.type === type);
  if (!line) throw new Error(`zoo ${command} ended without a "${type}" line`);
  return line;
}
