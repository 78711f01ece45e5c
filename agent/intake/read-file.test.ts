import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readFileForIntake } from "@/agent/intake/intake";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "intake-read-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const noZoo = { python: "/nonexistent/python3", zooDir: "/nonexistent" };

describe("readFileForIntake", () => {
  it("reports a file without an HDF5 name with the reason, without reading it", async () => {
    const file = path.join(dir, "notes.txt");
    fs.writeFileSync(file, "beam dumped");
    expect(await readFileForIntake("root1", file, { size: 11, mtimeMs: 1 }, noZoo)).toEqual({
      status: "unrecognised",
      dataRootId: "root1",
      path: file,
      bytes: 11,
      sha256: null,
      reason: "Not an HDF5 file name (.h5 or .hdf5): intake reads HDF5 only.",
    });
  });

  it("reports an empty HDF5 name as such, with its checksum", async () => {
    const file = path.join(dir, "empty.h5");
    fs.writeFileSync(file, "");
    expect(await readFileForIntake("root1", file, { size: 0, mtimeMs: 1 }, noZoo)).toMatchObject({
      status: "unrecognised",
      sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      reason: "The file is empty.",
    });
  });

  it("does not call a file unreadable when the zoo itself cannot run: that is retried, not reported", async () => {
    const file = path.join(dir, "scan.h5");
    fs.writeFileSync(file, "x");
    await expect(readFileForIntake("root1", file, { size: 1, mtimeMs: 1 }, noZoo)).rejects.toThrow("Could not run the zoo's inspect");
  });
});
