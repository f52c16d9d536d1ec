// The end of `miauth --help`: the exit codes and the environment variables miauth reads, in short (the
// README has both in full). test/e2e/help.test.ts checks every exit code and every variable the code
// reads is here.
import { ExitCode } from "./errors.js";

const EXIT_CODES: Record<keyof typeof ExitCode, string> = {
  ok: "success (also when nothing needed to change)",
  failure: "other failure",
  usage: "bad usage or input (nothing was sent)",
  notFound: "not found (subscription, group, resource, role, container, identity)",
  auth: "authentication failed (no credential worked)",
  permission: "permission denied",
  timeout: "timed out (--timeout, verify --wait)",
  interrupted: "interrupted (Ctrl-C)",
};

const ENVIRONMENT: [string[], string][] = [
  [["AZURE_SUBSCRIPTION_ID"], "default subscription (else the az CLI's default)"],
  [["AZURE_CONFIG_DIR"], "the az CLI's directory (default ~/.azure)"],
  [["MIAUTH_OUTPUT", "MIAUTH_ARM_ENDPOINT", "MIAUTH_CLOUD"], "defaults of -o, --arm-endpoint, --cloud"],
  [["AZURE_DEFAULTS_GROUP"], "default -g for a target named without one (else az's defaults.group)"],
  [["MIAUTH_GRAPH_ENDPOINT"], "Microsoft Graph base URL, for an --assignee given by name"],
  [["AZURE_TOKEN_CREDENTIALS"], "narrow DefaultAzureCredential: dev, prod or one credential"],
  [["AZURE_AUTHORITY_HOST"], "Entra authority for credentials (a loopback one: no instance discovery)"],
  [
    [
      "AZURE_TENANT_ID",
      "AZURE_CLIENT_ID",
      "AZURE_CLIENT_SECRET",
      "AZURE_FEDERATED_TOKEN_FILE",
      "IDENTITY_ENDPOINT",
      "IDENTITY_HEADER",
      "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    ],
    "read by DefaultAzureCredential",
  ],
  [
    ["AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_BLOB_ENDPOINT", "AZURE_STORAGEBLOB_RESOURCEENDPOINT"],
    "verify: the account and its blob endpoint (also from .env)",
  ],
  [
    [
      "WEBSITE_SITE_NAME",
      "WEBSITE_RESOURCE_GROUP",
      "WEBSITE_OWNER_NAME",
      "WEBSITE_SLOT_NAME",
      "FUNCTIONS_EXTENSION_VERSION",
    ],
    "verify, doctor: the App Service app (or slot) it runs in",
  ],
  [
    [
      "CONTAINER_APP_NAME",
      "CONTAINER_APP_REVISION",
      "GITHUB_REPOSITORY",
      "ACTIONS_ID_TOKEN_REQUEST_URL",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
      "KUBERNETES_SERVICE_HOST",
    ],
    "doctor: the host it runs on (names only: values of secrets never print)",
  ],
  [["GITHUB_ACTIONS"], "verify: true adds ::error:: annotations"],
  [["MIAUTH_EMULATOR_DIR"], "emulator env: the emulator's directory"],
  [["NODE_EXTRA_CA_CERTS"], "extra CA certificates (the emulator's ca.pem)"],
  [["NO_COLOR", "FORCE_COLOR", "TERM"], "colours on stderr"],
  [["NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE"], "Node's compile cache (Node >= 22.1)"],
];

/** "Exit codes:" and "Environment:", after the commands in `miauth --help`. */
export function programHelpEnd(): string {
  const codes = Object.entries(EXIT_CODES).map(
    ([name, text]) => `  ${String(ExitCode[name as keyof typeof ExitCode]).padStart(3)}  ${text}`,
  );
  const env = ENVIRONMENT.map(([names, text]) => `${wrapNames(names)}\n      ${text}`);
  return `\nExit codes:\n${codes.join("\n")}\n\nEnvironment:\n${env.join("\n")}\n`;
}

/** "  A, B, C" in lines of at most 80 characters. */
function wrapNames(names: string[]): string {
  const lines = [""];
  for (const name of names) {
    const last = lines.length - 1;
    const line = lines[last] ?? "";
    if (line !== "" && line.length + name.length + 4 > 80) lines.push(name);
    else lines[last] = line === "" ? name : `${line}, ${name}`;
  }
  return lines.map((l, i) => `  ${l}${i < lines.length - 1 ? "," : ""}`).join("\n");
}
