// One media host: a long-running aiortc + realtime-bridge container on Azure Container Apps.
// main.bicep deploys this module twice (two container apps, one replica each; docs/decisions.md
// D110): a WebRTC call lives in one process and the control plane must reach *that* process, but
// Container Apps ingress cannot address a replica, so each host is an app with its own URL.
//
// Its HTTP API (port 8080) is reachable only inside the VNet: the environment is internal and the
// ingress additionally allows only the Functions integration subnet. WebRTC media never enters
// through ingress — the container gathers TURN relay candidates only (see docs/deployment.md).
param name string
@description('azd service this app is deployed as (azure.yaml); one tag per app, so azd finds one resource.')
param serviceName string = 'mediahost'
@description('Whether this instance creates the private DNS zone of the environment (exactly one must).')
param manageEnvironmentDns bool = true
param location string
param tags object = {}
param environmentName string
@description('Default domain of the Container Apps environment (names its private DNS zone).')
param environmentDefaultDomain string
@description('Internal load-balancer IP of the Container Apps environment.')
param environmentStaticIp string
param vnetId string
@description('CIDR of the only subnet allowed to call the media host API (the Functions app).')
param allowedCallerPrefix string
param identityId string
param identityClientId string
param registryLoginServer string
@description('Image azd deployed last; empty on first provision, when a placeholder runs.')
param imageName string = ''
param cpu string = '2.0'
param memory string = '4Gi'
param tableEndpoint string
param foundryEndpoint string
param realtimeDeploymentName string
param turnUrls string
@description('Azure Web PubSub endpoint: every logged event is also published to its session group.')
param webPubSubEndpoint string
param webPubSubHub string
param mediaHostKeyUri string
param turnSecretUri string
param appInsightsConnectionString string
@description('Comma-separated BCP-47 languages the intake agent accepts (TRIAGE_AGENT_SUPPORTED_LANGUAGES).')
param supportedLanguages string
@description('How long a stopping replica lets live intakes finish (TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S).')
@minValue(30)
@maxValue(570)
param drainTimeoutSeconds int = 300

// SIGTERM starts the drain; the platform SIGKILLs after the grace period, so the grace period is the
// drain window plus time to end the remaining calls, deregister and close storage. 600 s is the
// Container Apps maximum, hence the 570 s cap on the drain.
var terminationGracePeriodSeconds = drainTimeoutSeconds + 30

// Until azd pushes the real image, a public sample keeps the revision provisionable.
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'

// /livez (process alive) and /readyz (storage, not draining, a free call slot, model endpoint
// reachable now or within 60 s) are served by media_host/server.py without authentication; the
// placeholder has no such routes, so probes are attached only once the real image runs.
var livenessProbes = [
  {
    type: 'Startup'
    httpGet: {
      path: '/livez'
      port: 8080
    }
    periodSeconds: 5
    failureThreshold: 24
  }
  {
    type: 'Liveness'
    httpGet: {
      path: '/livez'
      port: 8080
    }
    periodSeconds: 15
    failureThreshold: 4
  }
  {
    type: 'Readiness'
    httpGet: {
      path: '/readyz'
      port: 8080
    }
    periodSeconds: 10
    // The checks are bounded at 2 s each (media_host/readiness.py).
    timeoutSeconds: 5
    failureThreshold: 2
  }
]

resource containerEnv 'Microsoft.App/managedEnvironments@2024-03-01' existing = {
  name: environmentName
}

var internalUrl = 'https://${name}.${environmentDefaultDomain}'

resource mediaHost 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: containerEnv.id
    workloadProfileName: 'Consumption'
    configuration: {
      // Single-revision mode is the zero-downtime swap here: a deploy starts the new revision,
      // waits for its readiness probe (/readyz), moves ingress to it and only then SIGTERMs the old
      // replica, which drains and hands its unfinished calls over (D110). Multiple-revision mode
      // would leave old revisions running until a deploy step deactivated them.
      activeRevisionsMode: 'Single'
      ingress: {
        // "external" inside an internal environment = reachable from the VNet, not the Internet.
        external: true
        targetPort: 8080
        transport: 'http'
        allowInsecure: false
        ipSecurityRestrictions: [
          {
            name: 'control-plane-only'
            description: 'Only the Functions VNet-integration subnet may call the media host API.'
            ipAddressRange: allowedCallerPrefix
            action: 'Allow'
          }
        ]
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
      // Secrets stay in Key Vault; the platform resolves them with the media host identity.
      secrets: [
        {
          name: 'media-host-key'
          keyVaultUrl: mediaHostKeyUri
          identity: identityId
        }
        {
          name: 'turn-shared-secret'
          keyVaultUrl: turnSecretUri
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'mediahost'
          image: empty(imageName) ? placeholderImage : imageName
          probes: empty(imageName) ? [] : livenessProbes
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            {
              name: 'TRIAGE_STORAGE_TABLE_ENDPOINT'
              value: tableEndpoint
            }
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
            {
              name: 'TRIAGE_MEDIA_HOST_KEY'
              secretRef: 'media-host-key'
            }
            {
              name: 'AZURE_FOUNDRY_ENDPOINT'
              value: foundryEndpoint
            }
            {
              name: 'AZURE_DEPLOYMENT_NAME_REALTIME'
              value: realtimeDeploymentName
            }
            {
              name: 'TRIAGE_TURN_URLS'
              value: turnUrls
            }
            {
              // The browsers' event WebSocket on Azure (shared/web_pubsub.py); RBAC in rbac.bicep.
              name: 'TRIAGE_WEB_PUBSUB_ENDPOINT'
              value: webPubSubEndpoint
            }
            {
              name: 'TRIAGE_WEB_PUBSUB_HUB'
              value: webPubSubHub
            }
            {
              name: 'TRIAGE_TURN_SECRET'
              secretRef: 'turn-shared-secret'
            }
            {
              // Registered in the mediahosts table; the control plane relays signalling to it.
              name: 'TRIAGE_MEDIA_HOST_INTERNAL_URL'
              value: internalUrl
            }
            {
              // Ingress forwards to the container's interface, not to its loopback.
              name: 'TRIAGE_MEDIA_HOST_BIND'
              value: '0.0.0.0'
            }
            {
              name: 'TRIAGE_MEDIA_HOST_PORT'
              value: '8080'
            }
            {
              name: 'TRIAGE_REALTIME_MODE'
              value: 'azure'
            }
            {
              // aiortc picks random UDP ports; only TURN relay candidates are reachable.
              name: 'TRIAGE_ICE_TRANSPORT_POLICY'
              value: 'relay'
            }
            {
              name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
              value: appInsightsConnectionString
            }
            {
              // The same list the API admits (TRIAGE_SUPPORTED_LANGUAGES), from one parameter.
              name: 'TRIAGE_AGENT_SUPPORTED_LANGUAGES'
              value: supportedLanguages
            }
            {
              name: 'TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S'
              value: string(drainTimeoutSeconds)
            }
          ]
        }
      ]
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      scale: {
        // One replica: a WebRTC session lives in one process, and ingress cannot pin a caller to
        // a replica. Scale out by adding container apps (main.bicep), each registering its URL.
        minReplicas: 1
        maxReplicas: 1
      }
    }
  }
}

// Internal environments have no public DNS: resolve *.<defaultDomain> to the environment's
// internal load balancer for everything in the VNet (the Functions app). One zone serves every
// app of the environment, so only the first media host creates it.
resource environmentDns 'Microsoft.Network/privateDnsZones@2024-06-01' = if (manageEnvironmentDns) {
  name: environmentDefaultDomain
  location: 'global'
  tags: tags
}

resource environmentDnsWildcard 'Microsoft.Network/privateDnsZones/A@2024-06-01' = if (manageEnvironmentDns) {
  parent: environmentDns
  name: '*'
  properties: {
    ttl: 300
    aRecords: [
      {
        ipv4Address: environmentStaticIp
      }
    ]
  }
}

resource environmentDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = if (manageEnvironmentDns) {
  parent: environmentDns
  name: 'link-${name}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnetId
    }
  }
}

output name string = mediaHost.name
output internalUrl string = internalUrl
