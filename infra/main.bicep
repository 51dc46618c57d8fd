// Realtime Virtual Triage — everything `azd up` provisions.
//
// Two deployables share one resource group:
//   * api       — Azure Functions (Flex Consumption, Python 3.11) serving the FastAPI control plane.
//   * mediahost — a long-running aiortc container on Azure Container Apps (internal environment).
// plus a coturn relay VM (UDP needs a port range, see docs/deployment.md), Table Storage, Key Vault,
// an Azure AI Services account for gpt-realtime, and monitoring. Shared building blocks come from
// pinned Azure Verified Modules; the app-specific resources are written out in infra/app/*.bicep so
// their settings stay readable and are checked by checkov.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Parameters set by azd (main.parameters.json)
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Primary location for all resources. Must offer Flex Consumption (FC1).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the person (or CI principal) running azd; granted Key Vault Secrets Officer and OpenAI User. Leave empty to grant nothing.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principal behind principalId.')
param principalType string = 'User'

@secure()
@description('Shared key of the internal control-plane → media-host API. azd reads it back from Key Vault (secretOrRandomPassword) so it is stable across provisions.')
param mediaHostKey string

@secure()
@description('Random padding used only on first provision, when azd generated a key shorter than 32 characters.')
param mediaHostKeyPad string = newGuid()

@secure()
@description('coturn REST shared secret (static-auth-secret); read back from Key Vault like mediaHostKey.')
param turnSharedSecret string

@secure()
@description('Random padding for a first-provision TURN secret shorter than 32 characters.')
param turnSharedSecretPad string = newGuid()

@secure()
@description('Local admin password of the TURN VM. No inbound SSH is allowed; the password only satisfies the VM API.')
param turnAdminPassword string

// ---------------------------------------------------------------------------------------------
// Tunables (defaults are the reference deployment)
// ---------------------------------------------------------------------------------------------

@description('Deploy the gpt-realtime model into the AI account. Set false to reuse quota elsewhere.')
param deployRealtimeModel bool = true

@description('Region of the AI Services account; gpt-realtime (GlobalStandard) is offered in a few regions only.')
param aiLocation string = 'eastus2'

@description('Model name of the realtime deployment.')
param realtimeModelName string = 'gpt-realtime'

@description('Model version of the realtime deployment.')
param realtimeModelVersion string = '2025-08-28'

@description('Deployment name the media host calls (AZURE_DEPLOYMENT_NAME_REALTIME).')
param realtimeDeploymentName string = 'gpt-realtime'

@description('Deployment SKU of the realtime model.')
param realtimeDeploymentSku string = 'GlobalStandard'

@minValue(1)
@maxValue(1000)
@description('Capacity units of the realtime deployment; raise it with the number of concurrent calls (and your quota).')
param realtimeCapacity int = 10

@description('Address space of the virtual network.')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Subnet for the Functions app VNet integration (delegated to Microsoft.App/environments).')
param functionsSubnetPrefix string = '10.40.0.0/24'

@description('Subnet for the storage private endpoints.')
param endpointsSubnetPrefix string = '10.40.1.0/24'

@description('Subnet of the Container Apps environment (/27 minimum).')
param containersSubnetPrefix string = '10.40.2.0/23'

@description('Subnet of the TURN relay VM.')
param turnSubnetPrefix string = '10.40.4.0/24'

@description('Comma-separated BCP-47 languages the intake agent accepts (TRIAGE_SUPPORTED_LANGUAGES).')
param supportedLanguages string = 'en,es'

@description('Origins allowed to call the control-plane API from a browser. Empty = same-origin only.')
param apiCorsAllowedOrigins array = []

@minValue(40)
@maxValue(1000)
@description('Upper bound of Flex Consumption instances of the API.')
param apiMaximumInstanceCount int = 40

@description('Container image of the media host; azd fills it after the first deploy (SERVICE_MEDIAHOST_IMAGE_NAME).')
param mediaHostImageName string = ''

@description('Container image of the second media host (SERVICE_MEDIAHOST2_IMAGE_NAME; the same build).')
param mediaHost2ImageName string = ''

@description('vCPU of the media host container (Consumption workload profile allows up to 4).')
param mediaHostCpu string = '2.0'

@description('Memory of the media host container; must match the vCPU ratio (2 GiB per vCPU).')
param mediaHostMemory string = '4Gi'

@description('Seconds a stopping media host lets live intakes finish; the grace period is this + 30 s.')
@minValue(30)
@maxValue(570)
param mediaHostDrainSeconds int = 300

@description('HTTP requests one API instance serves at once (SSE and long-poll each hold one; see docs/deployment.md).')
@minValue(1)
@maxValue(1000)
param apiPerInstanceConcurrency int = 100

@description('VM size of the coturn relay.')
param turnVmSize string = 'Standard_D2as_v5'

@minValue(1024)
@maxValue(65535)
@description('First UDP port of the TURN relay range.')
param turnMinPort int = 49152

@minValue(1024)
@maxValue(65535)
@description('Last UDP port of the TURN relay range.')
param turnMaxPort int = 65535

@description('Host name of TURN over TLS (turns: on 443): a DNS name pointing at the TURN frontend that turnTlsCertificateName is issued for. Empty = no TLS; 443 then carries plain TURN over TCP.')
param turnTlsHostName string = ''

@description('Key Vault certificate (PEM content type, created or imported before provisioning) coturn serves TLS with.')
param turnTlsCertificateName string = 'turn-tls'

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
// Flex Consumption pulls the deployment package from this blob container.
var deploymentContainerName = 'app-package-${take(resourceToken, 32)}'
var storageTables = [
  'sessions'
  'events'
  'mediahosts'
  'intakecheckpoints'
]
var mediaHostKeySecretName = 'media-host-key'
var turnSecretName = 'turn-shared-secret'
var turnAdminSecretName = 'turn-vm-admin-password'
// azd's secretOrRandomPassword yields ~15 characters on first provision; the apps require 32+.
// Once stored, the read-back value is long enough and passes through unchanged.
var effectiveMediaHostKey = length(mediaHostKey) >= 32 ? mediaHostKey : '${mediaHostKey}${mediaHostKeyPad}'
var turnTlsEnabled = !empty(turnTlsHostName)
var turnTlsCertificate = turnTlsEnabled ? turnTlsCertificateName : ''
var effectiveTurnSecret = length(turnSharedSecret) >= 32 ? turnSharedSecret : '${turnSharedSecret}${turnSharedSecretPad}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Identities: one per workload, so each gets only the roles it needs (app/rbac.bicep)
// ---------------------------------------------------------------------------------------------

module apiIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.5.0' = {
  name: 'apiIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module mediaHostIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.5.0' = {
  name: 'mediaHostIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}mediahost-${resourceToken}'
    location: location
    tags: tags
  }
}

module turnIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.5.0' = {
  name: 'turnIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}turn-${resourceToken}'
    location: location
    tags: tags
  }
}

// ---------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

module appInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'appInsights'
  scope: rg
  params: {
    name: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    // Telemetry is accepted only from Entra-authenticated callers (Monitoring Metrics Publisher).
    disableLocalAuth: true
  }
}

var diagnostics = [
  {
    workspaceResourceId: logAnalytics.outputs.resourceId
  }
]

// ---------------------------------------------------------------------------------------------
// Network: VNet, NSGs, NAT egress, private DNS (app/network.bicep)
// ---------------------------------------------------------------------------------------------

module network 'app/network.bicep' = {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    functionsPrefix: functionsSubnetPrefix
    endpointsPrefix: endpointsSubnetPrefix
    containersPrefix: containersSubnetPrefix
    turnPrefix: turnSubnetPrefix
    turnMinPort: turnMinPort
    turnMaxPort: turnMaxPort
    turnTlsEnabled: turnTlsEnabled
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: Functions host blobs + the app's tables. Entra ID only, reachable only through
// private endpoints from the VNet (session data is health data).
// ---------------------------------------------------------------------------------------------

module storage 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
          publicAccess: 'None'
        }
      ]
      diagnosticSettings: diagnostics
    }
    tableServices: {
      tables: [for table in storageTables: {
        name: table
      }]
      diagnosticSettings: diagnostics
    }
    privateEndpoints: [for service in ['blob', 'queue', 'table']: {
      service: service
      subnetResourceId: network.outputs.privateEndpointSubnetId
      privateDnsZoneGroup: {
        privateDnsZoneGroupConfigs: [
          {
            privateDnsZoneResourceId: network.outputs.storageDnsZoneIds[service]
          }
        ]
      }
    }]
    diagnosticSettings: diagnostics
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

module keyVault 'br/public:avm/res/key-vault/vault:0.14.0' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: 90
    // azd reads the secrets back from the developer machine (secretOrRandomPassword) and the
    // TURN VM fetches its secret over the public endpoint; access is RBAC-only per secret.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
    secrets: [
      {
        name: mediaHostKeySecretName
        value: effectiveMediaHostKey
        contentType: 'text/plain'
      }
      {
        name: turnSecretName
        value: effectiveTurnSecret
        contentType: 'text/plain'
      }
      {
        name: turnAdminSecretName
        value: turnAdminPassword
        contentType: 'text/plain'
      }
    ]
    diagnosticSettings: diagnostics
  }
}

// ---------------------------------------------------------------------------------------------
// Azure AI Services with the gpt-realtime deployment (app/openai.bicep)
// ---------------------------------------------------------------------------------------------

module openai 'app/openai.bicep' = {
  name: 'openai'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesAccounts}${resourceToken}'
    location: aiLocation
    tags: tags
    deployRealtimeModel: deployRealtimeModel
    modelName: realtimeModelName
    modelVersion: realtimeModelVersion
    deploymentName: realtimeDeploymentName
    deploymentSku: realtimeDeploymentSku
    capacity: realtimeCapacity
    logAnalyticsWorkspaceId: logAnalytics.outputs.resourceId
  }
}

// ---------------------------------------------------------------------------------------------
// Azure Web PubSub: the event WebSocket on Azure (app/webpubsub.bicep)
// ---------------------------------------------------------------------------------------------

module webPubSub 'app/webpubsub.bicep' = {
  name: 'webpubsub'
  scope: rg
  params: {
    name: '${abbrs.signalRServiceWebPubSub}${resourceToken}'
    location: location
    tags: tags
    logAnalyticsWorkspaceId: logAnalytics.outputs.resourceId
  }
}

// ---------------------------------------------------------------------------------------------
// Container platform for the media host
// ---------------------------------------------------------------------------------------------

module registry 'br/public:avm/res/container-registry/registry:0.12.1' = {
  name: 'registry'
  scope: rg
  params: {
    name: '${abbrs.containerRegistryRegistries}${resourceToken}'
    location: location
    tags: tags
    acrSku: 'Standard'
    acrAdminUserEnabled: false
    anonymousPullEnabled: false
    // azd pushes from the developer machine; pulls use the media host identity (AcrPull).
    publicNetworkAccess: 'Enabled'
    zoneRedundancy: 'Disabled'
    diagnosticSettings: diagnostics
  }
}

module containerAppsEnvironment 'br/public:avm/res/app/managed-environment:0.15.0' = {
  name: 'containerAppsEnvironment'
  scope: rg
  params: {
    name: '${abbrs.appManagedEnvironments}${resourceToken}'
    location: location
    tags: tags
    // Internal: only the VNet (the Functions app) can reach the media host's HTTP API.
    internal: true
    infrastructureSubnetResourceId: network.outputs.containerAppsSubnetId
    publicNetworkAccess: 'Disabled'
    infrastructureResourceGroupName: '${abbrs.resourcesResourceGroups}${environmentName}-aca-infra'
    zoneRedundant: false
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Role assignments (least privilege per identity)
// ---------------------------------------------------------------------------------------------

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: appInsights.outputs.name
    registryName: registry.outputs.name
    aiAccountName: openai.outputs.name
    webPubSubName: webPubSub.outputs.name
    apiPrincipalId: apiIdentity.outputs.principalId
    mediaHostPrincipalId: mediaHostIdentity.outputs.principalId
    turnPrincipalId: turnIdentity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    mediaHostKeySecretName: mediaHostKeySecretName
    turnSecretName: turnSecretName
    turnTlsCertificateName: turnTlsCertificate
  }
}

// ---------------------------------------------------------------------------------------------
// TURN relay (app/turn.bicep)
// ---------------------------------------------------------------------------------------------

// One frontend for the TURN tier: aiortc uses only the first TURN server it is given, so the
// VMs sit behind one address (app/turnlb.bicep) and the tier survives one VM's loss.
module turnLb 'app/turnlb.bicep' = {
  name: 'turnLb'
  scope: rg
  params: {
    name: 'lbe-turn-${resourceToken}'
    location: location
    tags: tags
    dnsLabel: 'turn-${resourceToken}'
    tlsEnabled: turnTlsEnabled
  }
}

module turn 'app/turn.bicep' = {
  name: 'turn'
  scope: rg
  params: {
    name: '${abbrs.computeVirtualMachines}turn-1-${resourceToken}'
    location: location
    tags: tags
    subnetId: network.outputs.turnSubnetId
    vmSize: turnVmSize
    adminPassword: turnAdminPassword
    identityId: turnIdentity.outputs.resourceId
    identityClientId: turnIdentity.outputs.clientId
    keyVaultUri: keyVault.outputs.uri
    turnSecretName: turnSecretName
    minPort: turnMinPort
    maxPort: turnMaxPort
    dnsLabel: 'turn-1-${resourceToken}'
    loadBalancerBackendPoolId: turnLb.outputs.backendPoolId
    tlsCertificateName: turnTlsCertificate
  }
  // The VM fetches its secret at first boot: the role must exist before it starts.
  dependsOn: [
    rbac
  ]
}

module turn2 'app/turn.bicep' = {
  name: 'turn2'
  scope: rg
  params: {
    name: '${abbrs.computeVirtualMachines}turn-2-${resourceToken}'
    location: location
    tags: tags
    subnetId: network.outputs.turnSubnetId
    vmSize: turnVmSize
    adminPassword: turnAdminPassword
    identityId: turnIdentity.outputs.resourceId
    identityClientId: turnIdentity.outputs.clientId
    keyVaultUri: keyVault.outputs.uri
    turnSecretName: turnSecretName
    minPort: turnMinPort
    maxPort: turnMaxPort
    dnsLabel: 'turn-2-${resourceToken}'
    loadBalancerBackendPoolId: turnLb.outputs.backendPoolId
    tlsCertificateName: turnTlsCertificate
  }
  // The VM fetches its secret at first boot: the role must exist before it starts.
  dependsOn: [
    rbac
  ]
}

// Every client is offered all of them (the browser tries each; UDP first for the media host,
// whose aiortc uses only the first TURN URL). 443 is TLS (turns:, checked against the certificate's
// host name) when a certificate is configured, plain TCP otherwise.
var turnUdpTcpUrls = 'turn:${turnLb.outputs.fqdn}:3478?transport=udp,turn:${turnLb.outputs.fqdn}:3478?transport=tcp'
var turnWebPortUrl = turnTlsEnabled ? 'turns:${turnTlsHostName}:443?transport=tcp' : 'turn:${turnLb.outputs.fqdn}:443?transport=tcp'
var turnUrls = '${turnUdpTcpUrls},${turnWebPortUrl}'
var stunUrls = 'stun:${turnLb.outputs.fqdn}:3478'
var mediaHostKeyUri = '${keyVault.outputs.uri}secrets/${mediaHostKeySecretName}'
var turnSecretUri = '${keyVault.outputs.uri}secrets/${turnSecretName}'
var tableEndpoint = 'https://${storage.outputs.name}.table.${environment().suffixes.storage}'

// ---------------------------------------------------------------------------------------------
// The two deployables
// ---------------------------------------------------------------------------------------------

// Two media hosts, each a container app of one replica with its own URL (docs/decisions.md D110):
// ingress cannot address a replica, and a deploy restarts them one revision at a time, each
// stopping host handing its unfinished calls over to a ready one.
var mediaHostServices = [
  {
    service: 'mediahost'
    image: mediaHostImageName
  }
  {
    service: 'mediahost2'
    image: mediaHost2ImageName
  }
]

module mediaHosts 'app/mediahost.bicep' = [
  for (host, index) in mediaHostServices: {
    name: host.service
    scope: rg
    params: {
      name: '${abbrs.appContainerApps}${host.service}-${resourceToken}'
      serviceName: host.service
      manageEnvironmentDns: index == 0
      location: location
      tags: tags
      environmentName: containerAppsEnvironment.outputs.name
      environmentDefaultDomain: containerAppsEnvironment.outputs.defaultDomain
      environmentStaticIp: containerAppsEnvironment.outputs.?staticIp ?? ''
      vnetId: network.outputs.vnetId
      allowedCallerPrefix: network.outputs.functionsSubnetPrefix
      identityId: mediaHostIdentity.outputs.resourceId
      identityClientId: mediaHostIdentity.outputs.clientId
      registryLoginServer: registry.outputs.loginServer
      imageName: host.image
      cpu: mediaHostCpu
      memory: mediaHostMemory
      tableEndpoint: tableEndpoint
      foundryEndpoint: openai.outputs.endpoint
      realtimeDeploymentName: realtimeDeploymentName
      turnUrls: turnUrls
      webPubSubEndpoint: webPubSub.outputs.endpoint
      webPubSubHub: webPubSub.outputs.hubName
      mediaHostKeyUri: mediaHostKeyUri
      turnSecretUri: turnSecretUri
      appInsightsConnectionString: appInsights.outputs.connectionString
      supportedLanguages: supportedLanguages
      drainTimeoutSeconds: mediaHostDrainSeconds
    }
    // Key Vault secret references and the AcrPull grant must exist before the first revision.
    dependsOn: [
      rbac
    ]
  }
]

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    planName: '${abbrs.webServerFarms}${resourceToken}'
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    identityId: apiIdentity.outputs.resourceId
    identityClientId: apiIdentity.outputs.clientId
    appInsightsName: appInsights.outputs.name
    subnetId: network.outputs.functionsSubnetId
    maximumInstanceCount: apiMaximumInstanceCount
    perInstanceConcurrency: apiPerInstanceConcurrency
    corsAllowedOrigins: apiCorsAllowedOrigins
    logAnalyticsWorkspaceId: logAnalytics.outputs.resourceId
    appSettings: {
      TRIAGE_STORAGE_TABLE_ENDPOINT: tableEndpoint
      AZURE_CLIENT_ID: apiIdentity.outputs.clientId
      TRIAGE_MEDIA_HOST_KEY: '@Microsoft.KeyVault(SecretUri=${mediaHostKeyUri})'
      TRIAGE_TURN_URLS: turnUrls
      TRIAGE_TURN_SECRET: '@Microsoft.KeyVault(SecretUri=${turnSecretUri})'
      TRIAGE_STUN_URLS: stunUrls
      TRIAGE_SUPPORTED_LANGUAGES: supportedLanguages
      // The App Service front end puts the caller's address in X-Forwarded-For: per-client rate
      // limits count that entry, not the front end's own address (docs/deployment.md, Admission).
      TRIAGE_TRUSTED_PROXY_COUNT: '1'
      // The event WebSocket on Azure (docs/deployment.md); Entra ID via AZURE_CLIENT_ID.
      TRIAGE_WEB_PUBSUB_ENDPOINT: webPubSub.outputs.endpoint
      TRIAGE_WEB_PUBSUB_HUB: webPubSub.outputs.hubName
    }
  }
  dependsOn: [
    rbac
  ]
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd writes them into .azure/<env>/.env)
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_ENVIRONMENT_NAME string = containerAppsEnvironment.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output SERVICE_MEDIAHOST_NAME string = mediaHosts[0].outputs.name
output SERVICE_MEDIAHOST2_NAME string = mediaHosts[1].outputs.name
output TRIAGE_MEDIA_HOST_INTERNAL_URL string = mediaHosts[0].outputs.internalUrl
output TRIAGE_MEDIA_HOST2_INTERNAL_URL string = mediaHosts[1].outputs.internalUrl
output TRIAGE_STORAGE_TABLE_ENDPOINT string = tableEndpoint
output AZURE_FOUNDRY_ENDPOINT string = openai.outputs.endpoint
output AZURE_DEPLOYMENT_NAME_REALTIME string = realtimeDeploymentName
output TRIAGE_TURN_URLS string = turnUrls
output TRIAGE_STUN_URLS string = stunUrls
output TRIAGE_WEB_PUBSUB_ENDPOINT string = webPubSub.outputs.endpoint
output TURN_PUBLIC_IP string = turnLb.outputs.publicIp
