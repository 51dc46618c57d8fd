// Azure AI Services (Foundry) account with an optional gpt-realtime deployment.
// Keys are disabled: the media host authenticates with Entra ID (Cognitive Services OpenAI User).
param name string
param location string
param tags object = {}
param deployRealtimeModel bool = true
param modelName string = 'gpt-realtime'
param modelVersion string = '2025-08-28'
param deploymentName string = 'gpt-realtime'
param deploymentSku string = 'GlobalStandard'

@minValue(1)
@maxValue(1000)
param capacity int = 1

param logAnalyticsWorkspaceId string

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'AIServices'
  sku: {
    name: 'S0'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // A custom subdomain is required for Entra ID token authentication.
    customSubDomainName: name
    disableLocalAuth: true
    // The media host reaches the realtime WebSocket over the public endpoint with an Entra token.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
    // The realtime API needs no outbound calls from the service (no data sources, no tools).
    restrictOutboundNetworkAccess: true
    allowedFqdnList: []
  }
}

resource realtime 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = if (deployRealtimeModel) {
  parent: account
  name: deploymentName
  sku: {
    name: deploymentSku
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
    // Pinned: a silent model upgrade changes the agent's behaviour.
    versionUpgradeOption: 'NoAutoUpgrade'
  }
}

// Azure OpenAI diagnostic logs carry request metadata, not prompts or completions.
resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
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

output name string = account.name
output endpoint string = 'https://${name}.openai.azure.com/'
