// coturn TURN/STUN relay on a small Ubuntu VM with a static public IP.
//
// Why a VM and not Azure Container Instances: a TURN relay needs one UDP port per allocation
// (the relay range, 49152-65535 by default) and ACI allows at most 5 ports per IP address (hard
// limit). Why not Container Apps: its ingress carries HTTP/TCP only, never a UDP range.
// The VM gets the REST shared secret from Key Vault itself (cloud-init + managed identity).
param name string
param location string
param tags object = {}
param subnetId string
param vmSize string = 'Standard_D2as_v5'

@secure()
@description('Local admin password required by the VM API; no inbound SSH is allowed by the NSG.')
param adminPassword string

param identityId string
param identityClientId string
@description('Key Vault URI with trailing slash, e.g. https://kv-x.vault.azure.net/.')
param keyVaultUri string
param turnSecretName string
param minPort int = 49152
param maxPort int = 65535
@description('DNS label of the public IP: <label>.<region>.cloudapp.azure.com.')
param dnsLabel string
@description('Backend pool of the TURN load balancer (app/turnlb.bicep) this VM joins.')
param loadBalancerBackendPoolId string
@description('Key Vault certificate (PEM content type) for TURN over TLS; empty = no TLS listener.')
param tlsCertificateName string = ''

resource publicIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: 'pip-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    // Static: the address is written into coturn's external-ip at first boot.
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
    dnsSettings: {
      domainNameLabel: dnsLabel
    }
  }
}

resource nic 'Microsoft.Network/networkInterfaces@2024-05-01' = {
  name: 'nic-${name}'
  location: location
  tags: tags
  properties: {
    enableIPForwarding: false
    ipConfigurations: [
      {
        name: 'primary'
        properties: {
          primary: true
          privateIPAllocationMethod: 'Dynamic'
          subnet: {
            id: subnetId
          }
          publicIPAddress: {
            id: publicIp.id
          }
          loadBalancerBackendAddressPools: [
            {
              id: loadBalancerBackendPoolId
            }
          ]
        }
      }
    ]
  }
}

var cloudInit = replace(replace(replace(replace(replace(replace(replace(replace(loadTextContent('turn/cloud-init.yaml'), '__CLIENT_ID__', identityClientId), '__KEY_VAULT_URI__', keyVaultUri), '__SECRET_NAME__', turnSecretName), '__PUBLIC_IP__', publicIp.properties.ipAddress), '__MIN_PORT__', string(minPort)), '__MAX_PORT__', string(maxPort)), '__REALM__', publicIp.properties.dnsSettings.fqdn), '__TLS_CERT_NAME__', tlsCertificateName)

resource vm 'Microsoft.Compute/virtualMachines@2024-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    hardwareProfile: {
      vmSize: vmSize
    }
    osProfile: {
      computerName: 'turn'
      adminUsername: 'turnadmin'
      adminPassword: adminPassword
      // Immutable after creation: changing ports or the secret name means recreating the VM.
      customData: base64(cloudInit)
      allowExtensionOperations: true
      linuxConfiguration: {
        disablePasswordAuthentication: false
        provisionVMAgent: true
        patchSettings: {
          patchMode: 'AutomaticByPlatform'
          assessmentMode: 'AutomaticByPlatform'
        }
      }
    }
    securityProfile: {
      securityType: 'TrustedLaunch'
      uefiSettings: {
        secureBootEnabled: true
        vTpmEnabled: true
      }
    }
    storageProfile: {
      imageReference: {
        publisher: 'Canonical'
        offer: 'ubuntu-24_04-lts'
        sku: 'server'
        version: 'latest'
      }
      osDisk: {
        createOption: 'FromImage'
        deleteOption: 'Delete'
        managedDisk: {
          storageAccountType: 'StandardSSD_LRS'
        }
      }
    }
    networkProfile: {
      networkInterfaces: [
        {
          id: nic.id
          properties: {
            deleteOption: 'Delete'
          }
        }
      ]
    }
    diagnosticsProfile: {
      bootDiagnostics: {
        enabled: true
      }
    }
  }
}

output fqdn string = publicIp.properties.dnsSettings.fqdn
output publicIp string = publicIp.properties.ipAddress
output vmName string = vm.name
