// The control plane: a Flex Consumption (FC1) Python 3.11 Function App hosting the FastAPI app
// through the HTTP-streaming extension (so Server-Sent Events stream). It authenticates to
// storage, Key Vault and Application Insights with its user-assigned identity only.
param name string
param location string
param tags object = {}
param planName string
param storageAccountName string
param deploymentContainerName string
param identityId string
param identityClientId string
param appInsightsName string
param subnetId string
param logAnalyticsWorkspaceId string
param corsAllowedOrigins array = []

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

// Python on Flex Consumption defaults to 1 concurrent HTTP request per instance: every open SSE
// stream or long-poll would then hold a whole instance. The API awaits I/O, so one instance
// serves many held requests; the sizing is in docs/deployment.md ("API concurrency").
@minValue(1)
@maxValue(1000)
param perInstanceConcurrency int = 100

@description('Application settings specific to this app (TRIAGE_*, AZURE_CLIENT_ID).')
param appSettings object

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Settings every deployment needs, whatever the caller passes in appSettings.
var platformSettings = {
  // Host storage through the identity; the account refuses shared keys.
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The FastAPI HTTP-streaming extension is discovered at worker init.
  PYTHON_ENABLE_INIT_INDEXING: '1'
  // `/` is the reference web client (served by the app), not the Functions host's landing page.
  AzureWebJobsDisableHomepage: 'true'
  // Keep our pinned packages ahead of the worker's own copies.
  PYTHON_ISOLATE_WORKER_DEPENDENCIES: '1'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Platform settings win over same-named caller settings.
var allSettings = union(appSettings, platformSettings)

resource api 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    // Browsers call the API directly; everything behind it is private.
    publicNetworkAccess: 'Enabled'
    virtualNetworkSubnetId: subnetId
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for setting in items(allSettings): {
        name: setting.key
        value: setting.value
      }]
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: perInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// Flex Consumption apps are deployed by azd through the blob container: no FTP / basic-auth SCM.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: api
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: api
  name: 'scm'
  properties: {
    allow: false
  }
}

resource apiDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: api
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = api.name
output uri string = 'https://${api.properties.defaultHostName}'
