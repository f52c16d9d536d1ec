// A rehearsal never leaves the machine: with the emulator's env.sh sourced, no command reaches a
// non-loopback host (runCli fails the test if the child so much as tries), and a stopped emulator is
// one line within a second, not retries and a sign-in hint.
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD, startEmulator } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, OPERATOR_DATA_READER, type Report, RG } from "../helpers/verify.js";

const emu = useEmulator({
  replicationDelayMs: 0,
  seed: {
    ...DEFAULT_WORLD,
    roleAssignments: [...DEFAULT_WORLD.roleAssignments, OPERATOR_DATA_READER],
  } as typeof DEFAULT_WORLD,
});

const show = ["show", "--webapp", "msdocs-web", "-g", RG];

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /^(error|warning):/.test(l));
}

describe("with the emulator's env.sh sourced", () => {
  it("env.sh carries the emulator's blob endpoint: the README's `verify --account msdocsstorage` passes on the blob gate", async () => {
    const gate = emu.current.handle.blob?.endpoint(ACCOUNT);
    expect(emu.current.env.AZURE_STORAGE_BLOB_ENDPOINT).toBe(gate);
    const r = await runCli(["verify", "--account", ACCOUNT], { env: emu.current.env });
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(json<Report & { endpoint: string }>(r)).toMatchObject({ result: "pass", endpoint: gate });
  });

  it("an account's endpoint built from its name is refused before any request: one line, exit 2", async () => {
    const env = { ...emu.current.env, AZURE_STORAGE_BLOB_ENDPOINT: undefined };
    emu.current.clearLog();
    const r = await runCli(["verify", "--account", ACCOUNT], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(errorLines(r.stderr)).toEqual([
      `error: refusing to contact https://${ACCOUNT}.blob.core.windows.net (the blob endpoint, built from --account ${ACCOUNT}): the ARM endpoint ${emu.current.url} is loopback, so nothing may leave this machine`,
    ]);
    expect(r.stderr).toMatch(/^hint: .*AZURE_STORAGE_BLOB_ENDPOINT/m);
    expect(await emu.current.requests()).toEqual([]);
  });

  it("a --blob-endpoint on an Azure host is refused the same way", async () => {
    const r = await runCli(
      ["verify", "--account", ACCOUNT, "--blob-endpoint", "https://x.blob.core.windows.net"],
      {
        env: emu.current.env,
      },
    );
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      `error: refusing to contact https://x.blob.core.windows.net (the blob endpoint, from --blob-endpoint): the ARM endpoint ${emu.current.url} is loopback, so nothing may leave this machine`,
    ]);
  });

  it("a token endpoint on another host is refused, for ARM commands and for verify alike", async () => {
    const env = { ...emu.current.env, IDENTITY_ENDPOINT: "https://169.254.129.5:8081/msi/token" };
    const line = `error: refusing to contact https://169.254.129.5:8081 (a token endpoint): the ARM endpoint ${emu.current.url} is loopback, so nothing may leave this machine`;
    const shown = await runCli(show, { env });
    expect(shown.code).toBe(2);
    expect(errorLines(shown.stderr)).toEqual([line]);
    const verified = await runCli(["verify", "--account", ACCOUNT], { env });
    expect(verified.code).toBe(2);
    expect(verified.stdout).toBe("");
    expect(errorLines(verified.stderr)).toEqual([line]);
  });

  it("without a token endpoint, the managed identity credential's IMDS address is refused too", async () => {
    const env = { ...emu.current.env, IDENTITY_ENDPOINT: undefined, IDENTITY_HEADER: undefined };
    const r = await runCli(show, { env });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      `error: refusing to contact http://169.254.169.254 (a token endpoint): the ARM endpoint ${emu.current.url} is loopback, so nothing may leave this machine`,
    ]);
  });

  it("a service principal's sign-in authority is refused too (EnvironmentCredential)", async () => {
    const env = {
      ...emu.current.env,
      AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential",
      AZURE_TENANT_ID: emu.current.handle.tenantId,
      AZURE_CLIENT_ID: DEFAULT_WORLD.operator.clientId,
      AZURE_CLIENT_SECRET: "not-a-secret",
    };
    const r = await runCli(show, { env });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      `error: refusing to contact https://login.microsoftonline.com (a token endpoint): the ARM endpoint ${emu.current.url} is loopback, so nothing may leave this machine`,
    ]);
  });

  it("the control plane reports the blob endpoint ARM gives for the account (primaryEndpoints.blob)", async () => {
    const r = await runCli(
      [
        "verify",
        "--principal",
        DEFAULT_WORLD.operator.principalId,
        "--account",
        ACCOUNT,
        "--account-resource-group",
        RG,
      ],
      { env: emu.current.env },
    );
    expect(r.code).toBe(0);
    expect(json<{ endpoint: string }>(r).endpoint).toBe(emu.current.handle.blob?.endpoint(ACCOUNT));
  });
});

describe("a stopped emulator", () => {
  it("its env.sh is gone; with its variables still set, the next command is one line within a second, exit 1", async () => {
    const stopped = await startEmulator({ blob: false });
    const env = stopped.operatorEnv;
    await stopped.close();
    expect(existsSync(stopped.envFile)).toBe(false);
    const started = performance.now();
    const r = await runCli(show, { env });
    const elapsed = performance.now() - started;
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `error: nothing answers at ${stopped.url}: is the emulator running? (miauth emulator start)`,
    ]);
    expect(r.stderr).not.toMatch(/retry|az login/);
    expect(elapsed).toBeLessThan(3000);
  });

  it("with the whole DefaultAzureCredential chain (no AZURE_TOKEN_CREDENTIALS), the same line, not `az login`", async () => {
    const stopped = await startEmulator({ blob: false });
    const env = { ...stopped.operatorEnv, AZURE_TOKEN_CREDENTIALS: undefined };
    await stopped.close();
    const started = performance.now();
    const r = await runCli(show, { env });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `error: nothing answers at ${stopped.url}: is the emulator running? (miauth emulator start)`,
    ]);
    expect(r.stderr).not.toMatch(/retry|az login/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("verify in the data plane says the same, without a report or retries", async () => {
    const stopped = await startEmulator({ blob: false });
    const env = { ...stopped.operatorEnv, AZURE_STORAGE_BLOB_ENDPOINT: `${stopped.url}/${ACCOUNT}` };
    await stopped.close();
    const r = await runCli(["verify", "--account", ACCOUNT], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(errorLines(r.stderr)).toEqual([
      `error: nothing answers at ${stopped.url}: is the emulator running? (miauth emulator start)`,
    ]);
    expect(r.stderr).not.toMatch(/retry/);
  });

  it("a blob endpoint that refuses while the token endpoint answers: one line at once, no report", async () => {
    const blob = `https://127.0.0.1:${await deadPort()}`;
    const started = performance.now();
    const r = await runCli(["verify", "--account", ACCOUNT, "--blob-endpoint", `${blob}/${ACCOUNT}`], {
      env: emu.current.env,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(errorLines(r.stderr)).toEqual([
      `error: nothing answers at ${blob}: is the emulator running? (miauth emulator start)`,
    ]);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("an ARM endpoint that refuses while the token endpoint answers: one line, no retries", async () => {
    const arm = `https://127.0.0.1:${await deadPort()}`;
    const started = performance.now();
    const r = await runCli(show, { env: { ...emu.current.env, MIAUTH_ARM_ENDPOINT: arm } });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `error: nothing answers at ${arm}: is the emulator running? (miauth emulator start)`,
    ]);
    expect(r.stderr).not.toMatch(/retry|attempt/);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
