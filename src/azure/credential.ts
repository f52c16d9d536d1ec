// DefaultAzureCredential, as the guide's code uses it: az login, environment / service principal,
// workload identity and managed identity all work. AZURE_TOKEN_CREDENTIALS narrows the chain.
import type { TokenCredential } from "@azure/core-auth";
import { UsageError } from "../errors.js";
import type { Cloud } from "./clouds.js";

// What @azure/identity 4.13.1's DefaultAzureCredential accepts (trimmed, any case); anything else
// makes its constructor throw, which would surface as a failure rather than as bad input.
const TOKEN_CREDENTIALS = [
  "dev",
  "prod",
  "EnvironmentCredential",
  "WorkloadIdentityCredential",
  "ManagedIdentityCredential",
  "VisualStudioCodeCredential",
  "AzureCliCredential",
  "AzurePowerShellCredential",
  "AzureDeveloperCliCredential",
];

/** AZURE_TOKEN_CREDENTIALS, checked before any credential is built or any request sent. */
export function checkTokenCredentials(env: NodeJS.ProcessEnv): void {
  const value = env.AZURE_TOKEN_CREDENTIALS?.trim();
  if (!value) return;
  if (!TOKEN_CREDENTIALS.some((v) => v.toLowerCase() === value.toLowerCase())) {
    throw new UsageError(
      `invalid AZURE_TOKEN_CREDENTIALS '${value}': use dev, prod or one of ${TOKEN_CREDENTIALS.slice(2).join(", ")}`,
    );
  }
}

export async function createCredential(cloud: Cloud): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential({ authorityHost: cloud.authorityHost });
}
