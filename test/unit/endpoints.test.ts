// Blob endpoints as typed, the URL the --debug trace prints, and stderr text from servers.
import { describe, expect, it } from "vitest";
import { parseBlobEndpoint } from "../../src/azure/clouds.js";
import { redactUrl } from "../../src/azure/policies.js";
import { info } from "../../src/output/io.js";
import { fakeIo } from "../output/fakes.js";

describe("parseBlobEndpoint", () => {
  it("keeps an https endpoint, with or without a path, trailing slashes removed", () => {
    expect(parseBlobEndpoint("https://acct.blob.core.windows.net/", "--blob-endpoint")).toBe(
      "https://acct.blob.core.windows.net",
    );
    expect(parseBlobEndpoint("https://127.0.0.1:10000/devstoreaccount1", "--blob-endpoint")).toBe(
      "https://127.0.0.1:10000/devstoreaccount1",
    );
  });

  it.each([
    ["https://bob:S3CRET@acct.blob.core.windows.net/", /no user name or password/],
    ["https://bob@acct.blob.core.windows.net/", /no user name or password/],
    ["https://acct.blob.core.windows.net/?sv=1&sig=S3CRET", /no query or fragment/],
    ["https://acct.blob.core.windows.net/x#S3CRET", /no query or fragment/],
    ["https://h/acct/../other", /'\.\.' is not a name/],
    ["https://h/acct/%2e%2e/other", /contains '%'/],
    ["https://h\\acct", /must start with \//],
    ["https://h/a//b", /empty segment/],
    ["http://acct.blob.core.windows.net", /must be https/],
    ["acct.blob.core.windows.net", /expected an https:\/\/ URL/],
  ])("refuses %s, never echoing a secret", (value, why) => {
    let thrown: unknown;
    try {
      parseBlobEndpoint(value, "AZURE_STORAGE_BLOB_ENDPOINT");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ exitCode: 2 });
    const message = (thrown as Error).message;
    expect(message).toMatch(why);
    expect(message).toMatch(/\(AZURE_STORAGE_BLOB_ENDPOINT\)/);
    expect(message).not.toMatch(/S3CRET/);
  });
});

describe("redactUrl", () => {
  it("drops a user name and password and hides query values but api-version", () => {
    expect(redactUrl("https://bob:S3CRET@h/a?api-version=2024-01-01&sig=X")).toBe(
      "https://h/a?api-version=2024-01-01&sig=REDACTED",
    );
  });

  it("neither throws on a stray % nor un-escapes control characters", () => {
    expect(redactUrl("https://h/a%zz/b%1b%5B2J?x=%")).toBe("https://h/a%zz/b%1b%5B2J?x=REDACTED");
  });
});

describe("info", () => {
  it("escapes control characters on each line and keeps the lines", () => {
    const { io, stderr } = fakeIo();
    info(io, "first \u001b[2J\nsecond\r");
    expect(stderr.text).toBe("first \\x1b[2J\nsecond\\r\n");
  });

  it("styles each line after escaping it", () => {
    const { io, stderr } = fakeIo({}, { FORCE_COLOR: "1" });
    info(io, "a\u001bb", io.paint.dim);
    expect(stderr.text).toBe(`${io.paint.dim("a\\x1bb")}\n`);
  });
});
