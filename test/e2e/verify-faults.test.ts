// verify as the app when the blob plane misbehaves: faults, holds and timeouts (split from verify.test.ts
// so the two files run on separate workers).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, CONTAINER, OPERATOR_DATA_READER, type Report, step } from "../helpers/verify.js";

describe("verify under faults (data plane)", () => {
  const faulty = useEmulator({
    dataPlaneDelayMs: 0,
    replicationDelayMs: 0,
    seed: {
      ...DEFAULT_WORLD,
      roleAssignments: [...DEFAULT_WORLD.roleAssignments, OPERATOR_DATA_READER],
    } as typeof DEFAULT_WORLD,
  });
  const E = () => faulty.current;

  function app(args: string[], extra: Record<string, string | undefined> = {}) {
    const env = E().handle.envFor(E().siteId("msdocs-web"));
    return runCli(["verify", ...args], {
      env: { ...env, ...extra },
      cwd: mkdtempSync(join(tmpdir(), "app-")),
    });
  }

  /** Arranged through the emulator (enable and assign-role are tested elsewhere). */
  async function contributor(): Promise<void> {
    await E().assignRole(await E().enableSystem(E().siteId("msdocs-web")), "Storage Blob Data Contributor");
  }

  const probe = (q: { path: string }) => /miauth-verify-probe-/.test(q.path);
  const listing = (containers: string) =>
    `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://x/"><Containers>${containers}</Containers><NextMarker/></EnumerationResults>`;
  const container = (name: string) =>
    `<Container><Name>${name}</Name><Properties><Last-Modified>Mon, 30 Nov 2026 10:00:00 GMT</Last-Modified><Etag>"0x1"</Etag></Properties></Container>`;

  it.each([
    ["no container at all", listing(""), "application/xml", /has no container/],
    [
      "only $web and $logs",
      listing(container("$web") + container("$logs")),
      "application/xml",
      /only \$web, \$logs/,
    ],
  ])("%s: nothing to test in is a failure (NoContainer), never a pass", async (_, body, contentType, why) => {
    await contributor();
    await E().fault({ method: "GET", kind: "blob" }, { type: "raw", status: 200, contentType, body }, 1);
    const dir = mkdtempSync(join(tmpdir(), "junit-"));
    const file = join(dir, "verify.xml");
    const r = await app(["--access", "readwrite", "--junit", file], { GITHUB_ACTIONS: "true" });
    expect(r.code).toBe(1);
    const report = json<Report>(r);
    expect(report.result).toBe("fail");
    expect(step(report, "container")).toMatchObject({ status: "fail", code: "NoContainer" });
    expect(step(report, "container")?.message).toMatch(why);
    expect(report.fix).toMatch(/pass --container with a container the identity may use/);
    expect(r.stderr).toMatch(/^result: FAIL$/m);
    expect(r.stderr).toMatch(/^error: verify failed: container \(NoContainer\)/m);
    expect(r.stderr).toMatch(
      /^::error title=miauth verify%3A container::NoContainer: .*pass --container with a container/m,
    );
    const xml = readFileSync(file, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<testcase name="container" [^>]*>\s*<failure message="NoContainer: /);
    expect((await E().requests()).filter((q) => q.kind === "blob" && probe(q))).toEqual([]);
  });

  it("a container list that came back as HTML is a failed step, not an empty account", async () => {
    await contributor();
    await E().fault(
      { method: "GET", kind: "blob" },
      {
        type: "raw",
        status: 200,
        contentType: "text/html",
        body: "<html><body>Sign in to the Wi-Fi</body></html>",
      },
      1,
    );
    const r = await app(["--access", "readwrite"]);
    expect(r.code).toBe(1);
    const report = json<Report>(r);
    expect(report.result).toBe("fail");
    expect(step(report, "list-containers")).toMatchObject({ status: "fail", code: "InvalidReply" });
    expect(step(report, "write-probe")?.status).toBe("skip");
    expect(r.stderr).toMatch(/^result: FAIL$/m);
  });

  it("a truncated probe download is a failed step with a report, not Ctrl-C; the probe is removed", async () => {
    await contributor();
    await E().fault({ method: "GET", kind: "blob", path: "miauth-verify-probe-" }, { type: "truncate" }, 20);
    const dir = mkdtempSync(join(tmpdir(), "junit-"));
    const file = join(dir, "verify.xml");
    const r = await app(["--access", "readwrite", "--container", CONTAINER, "--junit", file], {
      GITHUB_ACTIONS: "true",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/interrupted|The operation was aborted/);
    const report = json<Report>(r);
    expect(report.result).toBe("fail");
    expect(step(report, "write-probe")?.status).toBe("pass");
    expect(step(report, "read-probe")?.status).toBe("fail");
    expect(step(report, "delete-probe")?.status).toBe("pass");
    expect(r.stderr).toMatch(/^::error title=miauth verify%3A read-probe::/m);
    expect(readFileSync(file, "utf8")).toMatch(/<testcase name="read-probe" [^>]*>\s*<failure /);
    expect(await E().blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
  });

  it.each([
    ["the blob list", CONTAINER],
    ["the probe read-back", "miauth-verify-probe-"],
  ])("%s hung past --timeout: exit 6, JUnit and annotation written, no probe left", async (_, path) => {
    await contributor();
    const held = await E().hold({ method: "GET", kind: "blob", path });
    const dir = mkdtempSync(join(tmpdir(), "junit-"));
    const file = join(dir, "verify.xml");
    const run = app(["--access", "readwrite", "--container", CONTAINER, "--timeout", "4s", "--junit", file], {
      GITHUB_ACTIONS: "true",
    });
    // The deadline passes while this request is held (not earlier, on a busy machine).
    await held.waitHeld(run);
    const r = await run;
    await held.release();
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: timed out after 4s \(--timeout\)/m);
    expect(r.stderr).toMatch(/^::error title=miauth verify%3A verify::TimeoutError: timed out after 4s/m);
    const xml = readFileSync(file, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(
      /<testcase name="verify" [^>]*>\s*<failure message="TimeoutError: timed out after 4s/,
    );
    expect(await E().blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
  });

  it("a probe PUT whose reply was lost after the write: the retry's BlobAlreadyExists counts as written", async () => {
    await contributor();
    await E().fault(
      { method: "PUT", kind: "blob", path: "miauth-verify-probe-" },
      { type: "drop", apply: true },
      1,
    );
    const r = await app(["--access", "readwrite", "--container", CONTAINER]);
    const puts = (await E().requests()).filter((q) => q.kind === "blob" && q.method === "PUT" && probe(q));
    expect(puts.map((q) => [q.fault ?? null, q.status])).toEqual([
      ["drop", 0],
      [null, 409],
    ]);
    expect(r.code).toBe(0);
    const report = json<Report>(r);
    expect(report.result).toBe("pass");
    expect(step(report, "write-probe")).toMatchObject({ status: "pass" });
    expect(step(report, "write-probe")?.message).toMatch(/reply was lost/);
    expect(step(report, "read-probe")?.status).toBe("pass");
    expect(await E().blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
  });

  it("removes a probe left by a SIGKILLed run once it is old, and only then", async () => {
    await contributor();
    // A run killed once its probe exists: the read-back is held up, then SIGKILL.
    await E().fault(
      { method: "GET", kind: "blob", path: "miauth-verify-probe-" },
      { type: "latency", ms: 5000 },
      1,
    );
    const env = E().handle.envFor(E().siteId("msdocs-web"));
    const killed = await runCli(["verify", "--access", "readwrite", "--container", CONTAINER], {
      env,
      cwd: mkdtempSync(join(tmpdir(), "app-")),
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          const log = await E().requests();
          if (log.some((q) => q.method === "PUT" && probe(q) && q.status === 201)) {
            clearInterval(poll);
            child.kill("SIGKILL");
          }
        }, 50);
        child.on("close", () => clearInterval(poll));
      },
    });
    expect(killed.signal).toBe("SIGKILL");
    const left = (await E().blobNames(ACCOUNT, CONTAINER)).filter((n) =>
      n.startsWith("miauth-verify-probe-"),
    );
    expect(left).toHaveLength(1);
    const name = left[0] ?? "";

    // A young probe may belong to a run still going: left alone.
    const young = await app(["--access", "write", "--container", CONTAINER]);
    expect(young.code).toBe(0);
    expect(await E().blobNames(ACCOUNT, CONTAINER)).toContain(name);

    // The same probe, listed as an hour old (Azurite's clock cannot be moved): removed, and said so.
    const old = new Date(Date.now() - 3600_000).toUTCString();
    const blobs = [
      name,
      "miauth-verify-probe-not-a-uuid.txt", // not our exact pattern: never touched
    ]
      .map(
        (n) =>
          `<Blob><Name>${n}</Name><Properties><Last-Modified>${old}</Last-Modified><Etag>"0x1"</Etag><Content-Length>10</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>`,
      )
      .join("");
    await E().fault(
      { method: "GET", kind: "blob", path: `/${ACCOUNT}/${CONTAINER}` },
      {
        type: "raw",
        status: 200,
        contentType: "application/xml",
        body: `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://x/" ContainerName="${CONTAINER}"><Prefix>miauth-verify-probe-</Prefix><Blobs>${blobs}</Blobs><NextMarker/></EnumerationResults>`,
      },
      1,
    );
    await E().clearLog();
    const cleaned = await app(["--access", "write", "--container", CONTAINER]);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stderr).toMatch(
      new RegExp(`removed ${CONTAINER}/${name}, a probe blob left by an interrupted verify`),
    );
    expect(await E().blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
    const deletes = (await E().requests()).filter((q) => q.kind === "blob" && q.method === "DELETE");
    expect(deletes.some((q) => q.path.endsWith(name))).toBe(true);
    expect(deletes.some((q) => q.path.includes("not-a-uuid"))).toBe(false);
  });

  it("--debug traces the blob calls too, with no token or signature", async () => {
    await contributor();
    const r = await app(["--access", "readwrite", "--container", CONTAINER, "--debug"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^> GET https:\/\/127\.0\.0\.1:\d+\/msdocsstorage\/\?comp=REDACTED/m);
    expect(r.stderr).toMatch(/^< 201 PUT \/msdocsstorage\/msdocs-container\/miauth-verify-probe-/m);
    expect(r.stdout + r.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}|Bearer |sig=[^R]/);
  });

  it("a hung blob endpoint ends at --timeout with exit 6, the probe removed", async () => {
    await contributor();
    await E().fault(
      { method: "GET", kind: "blob", path: "miauth-verify-probe-" },
      { type: "latency", ms: 20_000 },
      5,
    );
    const r = await app(["--access", "readwrite", "--container", CONTAINER, "--timeout", "3s"]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: timed out after 3s \(--timeout\)/m);
    expect(await E().blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
  });
});
