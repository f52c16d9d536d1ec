// The api-versions each resource type accepts: every version whose folder in Azure/azure-rest-api-specs
// (specification/{rp}/resource-manager/{Namespace}/{stable,preview}/{version}/, or the newer
// {Namespace}/{Service}/{stable,preview}/{version}/ layout) holds the file that defines the type, old
// and preview ones included, as the real provider registers them. Sources per list: src/emulator/README.md
// ("api-versions"). Oldest first; the unsupported-version errors list them in ARM's order.

/** Microsoft.Web sites (WebApps.json; 2015-08-01: service.json). */
export const WEB_SITES_API_VERSIONS = [
  "2015-08-01",
  "2016-08-01",
  "2018-02-01",
  "2018-11-01",
  "2019-08-01",
  "2020-06-01",
  "2020-09-01",
  "2020-10-01",
  "2020-12-01",
  "2021-01-01",
  "2021-01-15",
  "2021-02-01",
  "2021-03-01",
  "2022-03-01",
  "2022-09-01",
  "2023-01-01",
  "2023-12-01",
  "2024-04-01",
  "2024-11-01",
  "2025-03-01",
  "2025-05-01",
] as const;

/**
 * Microsoft.Compute virtualMachines (compute.json, later virtualMachine.json). Compute versions that
 * hold only disks, galleries, SKUs or cloud services (2019-04-01, 2019-11-01, 2020-05-01, 2020-06-30,
 * 2020-09-30, 2020-10-01-preview, …) are not VM versions and are left out.
 */
export const COMPUTE_VM_API_VERSIONS = [
  "2015-06-15",
  "2016-03-30",
  "2016-04-30-preview",
  "2017-03-30",
  "2017-12-01",
  "2018-04-01",
  "2018-06-01",
  "2018-10-01",
  "2019-03-01",
  "2019-07-01",
  "2019-12-01",
  "2020-06-01",
  "2020-12-01",
  "2021-03-01",
  "2021-04-01",
  "2021-07-01",
  "2021-11-01",
  "2022-03-01",
  "2022-08-01",
  "2022-11-01",
  "2023-03-01",
  "2023-07-01",
  "2023-09-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
  "2025-04-01",
  "2025-11-01",
  "2026-03-01",
] as const;

/** Microsoft.Storage storageAccounts (storage.json, from 2025-06-01 openapi.json): in every version. */
export const STORAGE_ACCOUNTS_API_VERSIONS = [
  "2015-05-01-preview",
  "2015-06-15",
  "2016-01-01",
  "2016-05-01",
  "2016-12-01",
  "2017-06-01",
  "2017-10-01",
  "2018-02-01",
  "2018-03-01-preview",
  "2018-07-01",
  "2018-11-01",
  "2019-04-01",
  "2019-06-01",
  "2020-08-01-preview",
  "2021-01-01",
  "2021-02-01",
  "2021-04-01",
  "2021-06-01",
  "2021-08-01",
  "2021-09-01",
  "2022-05-01",
  "2022-09-01",
  "2023-01-01",
  "2023-04-01",
  "2023-05-01",
  "2024-01-01",
  "2025-01-01",
  "2025-06-01",
  "2025-08-01",
  "2026-04-01",
  "2026-06-01",
  "2026-09-01",
] as const;

/**
 * Microsoft.Storage blobServices/default/containers (blob.json, from 2025-06-01 in openapi.json): the
 * storage versions from 2018-02-01, where blob.json first appears.
 */
export const BLOB_CONTAINERS_API_VERSIONS = STORAGE_ACCOUNTS_API_VERSIONS.filter((v) => v >= "2018-02-01");

/** Microsoft.ManagedIdentity userAssignedIdentities (ManagedIdentity.json): in every version. */
export const USER_ASSIGNED_IDENTITY_API_VERSIONS = [
  "2015-08-31-preview",
  "2018-11-30",
  "2021-09-30-preview",
  "2022-01-31-preview",
  "2023-01-31",
  "2023-07-31-preview",
  "2024-11-30",
  "2025-01-31-preview",
  "2025-05-31-preview",
  "2026-05-31",
] as const;

/**
 * userAssignedIdentities/federatedIdentityCredentials (ManagedIdentity.json): from 2022-01-31-preview, the
 * first version whose spec has FederatedIdentityCredentials_*.
 */
export const FEDERATED_CREDENTIAL_API_VERSIONS = USER_ASSIGNED_IDENTITY_API_VERSIONS.filter(
  (v) => v >= "2022-01-31-preview",
);

/** Microsoft.Authorization roleDefinitions (authorization-RoleDefinitionsCalls.json). */
export const ROLE_DEFINITION_API_VERSIONS = [
  "2015-07-01",
  "2018-01-01-preview",
  "2022-04-01",
  "2022-05-01-preview",
] as const;

/** Microsoft.Authorization roleAssignments (authorization-RoleAssignmentsCalls.json). */
export const ROLE_ASSIGNMENT_API_VERSIONS = [
  "2015-07-01",
  "2017-10-01-preview",
  "2018-01-01-preview",
  "2018-09-01-preview",
  "2020-03-01-preview",
  "2020-04-01-preview",
  "2020-08-01-preview",
  "2020-10-01-preview",
  "2022-04-01",
] as const;

/** Microsoft.Resources subscriptions (subscriptions.json). */
export const SUBSCRIPTION_API_VERSIONS = [
  "2015-11-01",
  "2016-06-01",
  "2018-06-01",
  "2019-06-01",
  "2019-11-01",
  "2020-01-01",
  "2021-01-01",
  "2022-01-01",
  "2022-12-01",
] as const;

/** Microsoft.Resources resourceGroups (resources.json). */
export const RESOURCE_GROUP_API_VERSIONS = [
  "2015-11-01",
  "2016-02-01",
  "2016-07-01",
  "2016-09-01",
  "2017-05-10",
  "2018-02-01",
  "2018-05-01",
  "2019-03-01",
  "2019-05-01",
  "2019-05-10",
  "2019-07-01",
  "2019-08-01",
  "2019-10-01",
  "2020-06-01",
  "2020-08-01",
  "2020-10-01",
  "2021-01-01",
  "2021-04-01",
  "2022-09-01",
  "2023-07-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
  "2025-04-01",
] as const;

/**
 * Microsoft.App containerApps (ContainerApps.json): the stable versions, under
 * Microsoft.App/stable/{version}/ and, from 2025-01-01, Microsoft.App/ContainerApps/stable/{version}/.
 * Preview versions are left out (the SDKs miauth pins send stable ones).
 */
export const APP_CONTAINER_APPS_API_VERSIONS = [
  "2022-03-01",
  "2022-10-01",
  "2023-05-01",
  "2024-03-01",
  "2025-01-01",
  "2025-07-01",
] as const;
