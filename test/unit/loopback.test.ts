import { createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import {
  endpointGuardPolicy,
  isLoopbackUrl,
  NothingAnswers,
  OffMachineRefused,
} from "../../src/azure/loopback.js";

describe("isLoopbackUrl: the parsed host, never a prefix", () => {
  it.each([
    ["https://127.0.0.1:8443", true],
    ["https://127.255.255.254/x", true],
    ["https://127.1", true], // the URL parser writes it 127.0.0.1
    ["https://0x7f.0.0.1", true],
    ["https://[::1]:443", true],
    ["https://[0:0:0:0:0:0:0:1]", true],
    ["https://[::ffff:127.0.0.1]", true],
    ["https://localhost:1234", true],
    ["https://LOCALHOST", true],
    ["https://127.0.0.1.nip.io", false],
    ["https://127.0.0.1@evil.example", false],
    ["https://localhost.evil.example", false],
    ["https://evil.example/127.0.0.1", false],
    ["https://128.0.0.1", false],
    ["https://10.0.0.1", false],
    ["http://169.254.169.254", false],
    ["https://[::2]", false],
    ["https://[::ffff:10.0.0.1]", false],
    ["https://management.azure.com", false],
    ["not a url", false],
  ])("%s -> %s", (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe("endpointGuardPolicy", () => {
  const ok = async (): Promise<PipelineResponse> =>
    ({ status: 200, headers: new Map(), request: undefined }) as unknown as PipelineResponse;
  const refused = () =>
    Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }));

  it("while ARM is loopback, refuses any other host before sending", async () => {
    const policy = endpointGuardPolicy("https://127.0.0.1:9", "ARM");
    let sent = 0;
    const next = async () => {
      sent++;
      return ok();
    };
    const request = createPipelineRequest({ url: "https://management.azure.com/subscriptions?x=1" });
    await expect(policy.sendRequest(request, next)).rejects.toThrow(OffMachineRefused);
    await expect(policy.sendRequest(request, next)).rejects.toThrow(
      /^refusing to contact https:\/\/management\.azure\.com \(ARM\): the ARM endpoint https:\/\/127\.0\.0\.1:9 is loopback/,
    );
    expect(sent).toBe(0);
    await policy.sendRequest(createPipelineRequest({ url: "https://[::1]:9/x" }), next);
    expect(sent).toBe(1);
  });

  it("against Azure, every host is allowed", async () => {
    const policy = endpointGuardPolicy("https://management.azure.com", "ARM");
    const response = await policy.sendRequest(
      createPipelineRequest({ url: "https://x.blob.core.windows.net/" }),
      ok,
    );
    expect(response.status).toBe(200);
  });

  it("a refused loopback connection becomes NothingAnswers (no system error code to retry on)", async () => {
    const policy = endpointGuardPolicy("https://management.azure.com", "ARM");
    const error = await policy
      .sendRequest(createPipelineRequest({ url: "https://127.0.0.1:9/subscriptions" }), refused)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NothingAnswers);
    expect((error as Error).message).toBe(
      "nothing answers at https://127.0.0.1:9: is the emulator running? (miauth emulator start)",
    );
    expect((error as { code?: string }).code).toBeUndefined();
  });

  it("a refused connection elsewhere stays what it was: the SDK retries it", async () => {
    const policy = endpointGuardPolicy("https://management.azure.com", "ARM");
    const error = await policy
      .sendRequest(createPipelineRequest({ url: "https://management.azure.com/x" }), refused)
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(NothingAnswers);
    expect((error as { code?: string }).code).toBe("ECONNREFUSED");
  });
});
