# Real-world Exchange admin one-liners, adapted to the cmdlets mapish has (cmdlets.md examples,
# the seed article, Microsoft's docs and common admin tasks). tests/e2e/corpus.rs runs every line,
# in order, as one `mapish -c` call against a lab store (organization Contoso, server EX01) in a
# directory that holds users.txt and users.csv. Each must succeed; a line ending in
# "# unsupported" must instead fail with mapish's NotSupportedByMapish error.

# --- setting up the lab the way an admin would ---
New-Mailbox -Name User -Alias user -PrimarySmtpAddress user@contoso.com -UserPrincipalName user@contoso.com -Password 'P@ssw0rd-1'
New-Mailbox -Name "Jeff Hay" -UserPrincipalName jeff@contoso.com -Password (ConvertTo-SecureString 'P@ssw0rd-1' -AsPlainText -Force)
New-Mailbox -Name "Ken Sanchez" -Alias ken -UserPrincipalName ken@contoso.com -Password (ConvertTo-SecureString -String 'P@ssw0rd-1' -AsPlainText -Force) | Out-Null
New-Mailbox -Name tony -UserPrincipalName tony@contoso.com -DisplayName "Tony Smith" -Password 'P@ssw0rd-1' | ft Name, Alias
New-Mailbox -Name adam -UserPrincipalName adam@contoso.com -Password 'P@ssw0rd-1' -WhatIf
New-Mailbox -Name adam -UserPrincipalName adam@contoso.com -Password 'P@ssw0rd-1' | Out-Null
New-Mailbox -Name chris -UserPrincipalName chris@contoso.com -Password 'P@ssw0rd-1' | select Name, PrimarySmtpAddress
$pw = ConvertTo-SecureString 'P@ssw0rd-1' -AsPlainText -Force; New-Mailbox -Name dave -UserPrincipalName dave@contoso.com -Password $pw | Out-Null

# --- the article, as printed ---
Get-CASMailbox | ft Name, MapiEnabled -AutoSize
Set-CasMailbox User -MAPIEnabled $False
Set-CasMailbox User -MAPIEnabled $True
Get-MapiVirtualDirectory -Server EX01
Set-MapiVirtualDirectory -Identity "mapi (Default Web Site)" -InternalUrl https://mail.contoso.com/mapi -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Negotiate
Set-OrganizationConfig -MapiHttpEnabled $true
Get-OrganizationConfig | fl Name, MapiHttpEnabled

# --- reading client access settings ---
Get-CASMailbox "Jeff Hay"
Get-CASMailbox tony@contoso.com | Format-List Imap*
Get-CASMailbox chris@contoso.com | Format-List Ews*
Get-CasMailbox -ResultSize Unlimited | ft name, *mapi*
Get-CasMailbox -Identity "Ken Sanchez"
Get-CasMailbox -ResultSize unlimited -Filter "MAPIEnabled -eq `$false"
Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MapiHttpEnabled -eq $true} | ft Name, MapiHttpEnabled -AutoSize
Get-CASMailbox -ResultSize Unlimited | ? {$_.MAPIBlockOutlookRpcHttp -eq $true}
Get-CASMailbox | Where-Object MapiEnabled -eq $false
Get-CASMailbox | where {$_.MapiHttpEnabled -ne $null} | select Name, MapiHttpEnabled
Get-CASMailbox -ResultSize Unlimited | select Name, MAPIEnabled, MapiHttpEnabled, OWAEnabled | sort Name
Get-CASMailbox | group MAPIEnabled
Get-CASMailbox | group MapiHttpEnabled -NoElement | sort Count -Descending
(Get-CASMailbox -ResultSize Unlimited | ? {$_.MAPIEnabled -eq $false}).Count
Get-CASMailbox | measure
Get-CASMailbox -ResultSize Unlimited | Measure-Object | select Count
Get-CASMailbox tony | fl Name, *Enabled
Get-CASMailbox tony | Get-Member
Get-CASMailbox -Identity tony | gm -MemberType Property | select Name
Get-Mailbox | Get-CASMailbox | ft Name, MAPIEnabled, MapiHttpEnabled -AutoSize
Get-Mailbox -ResultSize Unlimited | Get-CASMailbox | ? {-not $_.MAPIEnabled}
Get-CASMailbox -Filter "Name -like 'a*'" | ft Name
Get-CASMailbox -Filter {MAPIEnabled -eq $true -and OWAEnabled -eq $true} | measure
Get-CASMailbox -Filter 'PopEnabled -eq $true -or ImapEnabled -eq $true' | select -ExpandProperty Name
Get-CASMailbox -Filter "PrimarySmtpAddress -like '*@contoso.com'" -ResultSize 100 | select Name, PrimarySmtpAddress
Get-Mailbox -Filter "RecipientTypeDetails -eq 'UserMailbox'" | select Name, Alias
Get-CASMailbox | sort @{e={$_.Name.Length}; Descending=$true}, Name | select -First 3 Name
Get-CASMailbox | select Name, @{n='MAPI';e={$_.MAPIEnabled}}, @{Name='HTTP';Expression={if ($_.MapiHttpEnabled -eq $null) {'org'} else {$_.MapiHttpEnabled}}}
Get-CASMailbox | Select-Object Name, @{Label="Effective";Expression={$_.MapiHttpEnabled}} | Format-Table -AutoSize
Get-CASMailbox | ft Name, MAPIEnabled -GroupBy MAPIEnabled
Get-CASMailbox | ft -Property Name, ActiveSyncEnabled, OWAEnabled -Wrap
Get-CASMailbox | fl
Get-CASMailbox | Format-List *

# --- changing client access settings ---
Set-CASMailbox adam@contoso.com -OWAEnabled $false -PopEnabled $false
Set-CASMailbox tony@contoso.com -DisplayName "Tony Smith" -MAPIBlockOutlookRpcHttp $true
Set-CasMailbox tony -MapiHttpEnabled $true
Set-CasMailbox -Identity "Ken Sanchez" -MAPIEnabled $false
Set-CasMailbox jeff@contoso.com -MapiHttpEnabled $False
Set-CASMailbox -Identity adam@contoso.com -MAPIBlockOutlookVersions "-11.8010.8036"
Set-CASMailbox -Identity adam@contoso.com -MAPIBlockOutlookVersions $null
Set-CASMailbox chris -MapiHttpEnabled $null -Confirm:$false
Set-CASMailbox dave -MAPIEnabled:$false -WhatIf
Get-CASMailbox | ? {$_.MAPIEnabled -eq $false} | Set-CASMailbox -MAPIEnabled $true
Get-CASMailbox -ResultSize Unlimited | Set-CASMailbox -MAPIBlockOutlookNonCachedMode $false -WarningAction SilentlyContinue
Get-Mailbox -ResultSize Unlimited | Set-CASMailbox -MapiHttpEnabled $true -WarningAction SilentlyContinue
Get-CASMailbox | %{ Set-CASMailbox $_.Identity -MAPIEnabled $true -WarningAction SilentlyContinue }
Get-Content users.txt | foreach {Set-CasMailbox $_ -MAPIEnabled $false}
Get-Content .\users.txt | ForEach-Object { Set-CASMailbox -Identity $_ -MapiHttpEnabled $null }
Import-Csv users.csv | % { Set-CASMailbox $_.Name -MAPIEnabled $true }
Import-Csv .\users.csv | ForEach-Object { Set-CASMailbox -Identity $_.Name -MapiHttpEnabled ([bool]::Parse($_.Http)) }  # unsupported
foreach ($m in Get-CASMailbox -Filter "Name -like 'a*'") { Set-CASMailbox $m.Identity -PopEnabled $true -WarningAction SilentlyContinue }
$users = 'tony','adam'; foreach ($u in $users) { Set-CASMailbox $u -ImapEnabled $false }
Get-CASMailbox tony | Set-CASMailbox -ImapEnabled $true -PopEnabled $true -EwsEnabled $true -ActiveSyncEnabled $true -WarningAction SilentlyContinue
Set-CASMailbox tony -MAPIE $false -MapiH $true
Set-CASMailbox tony -MAPIEnabled 1
Get-CASMailbox | ? Name -like 't*' | Set-CASMailbox -MAPIBlockOutlookExternalConnectivity $true
Get-CASMailbox tony -ErrorAction Stop | Set-CASMailbox -MAPIBlockOutlookExternalConnectivity $false
$m = Get-CASMailbox tony; if ($m.MAPIEnabled) { "MAPI is on for $($m.Name)" } else { Set-CASMailbox $m.Identity -MAPIEnabled $true }
$m = Get-CASMailbox tony; $m.MapiHttpEnabled; $m.Name.ToUpper()

# --- the organization and the virtual directory ---
Get-OrganizationConfig
Get-OrganizationConfig | Format-List Name, MapiHttpEnabled, EwsEnabled
Get-OrganizationConfig | select MapiHttpEnabled
(Get-OrganizationConfig).MapiHttpEnabled
Set-OrganizationConfig -MapiHttpEnabled:$false -Confirm:$false
if ((Get-OrganizationConfig).MapiHttpEnabled -eq $false) { Set-OrganizationConfig -MapiHttpEnabled $true }
Get-MapiVirtualDirectory
Get-MapiVirtualDirectory | fl server,*url*,*auth*
Get-MapiVirtualDirectory | Format-List Server, InternalUrl, ExternalUrl, IISAuthenticationMethods
Get-MapiVirtualDirectory ContosoMai\mapi* -ErrorAction SilentlyContinue
Get-MapiVirtualDirectory EX01\mapi* | Format-List
Get-MapiVirtualDirectory -Identity "EX01\mapi (Default Web Site)" | select -ExpandProperty IISAuthenticationMethods
Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly | fl InternalUrl, ExternalUrl
Set-MapiVirtualDirectory -Identity "EX01\mapi (Default Web Site)" -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods NTLM,Negotiate,OAuth
Set-MapiVirtualDirectory -Identity "EX01\mapi (Default Web Site)" -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods @{Add="Basic"}
Set-MapiVirtualDirectory -Identity "EX01\mapi (Default Web Site)" -IISAuthenticationMethods @{Remove="Basic"}
$mapidir = Get-MapiVirtualDirectory; $mapidir | Set-MapiVirtualDirectory -IISAuthenticationMethods ($mapidir.IISAuthenticationMethods +='Basic')
$x = Get-MapiVirtualDirectory -Server EX01; Set-MapiVirtualDirectory $x.Identity -IISAuthenticationMethods ($x.IISAuthenticationMethods | ? {$_ -ne 'Basic'})
Get-MapiVirtualDirectory | Set-MapiVirtualDirectory -ExternalUrl $null
Get-MapiVirtualDirectory | Set-MapiVirtualDirectory -ExternalUrl https://mail.contoso.com/mapi -WhatIf
Remove-MapiVirtualDirectory -Identity "EX01\mapi (Default Web Site)" -Confirm:$false
New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate
Get-ExchangeServer | ft Name, Fqdn, AdminDisplayVersion -AutoSize
Get-ExchangeServer | % { Get-MapiVirtualDirectory -Server $_.Name } | ft Server, InternalUrl

# --- reports and exports ---
Get-CASMailbox -ResultSize Unlimited | select Name, MAPIEnabled, MapiHttpEnabled | Export-Csv mapi.csv -NoTypeInformation
Get-CASMailbox | Select-Object Name, MAPIEnabled | Export-Csv -Path .\mapi-typed.csv
Get-CASMailbox | select Name, PopEnabled | epcsv pop.csv -NTI -Delimiter ';'
Get-CASMailbox | select Name, MAPIEnabled | ConvertTo-Csv -NoTypeInformation
Get-MapiVirtualDirectory | ConvertTo-Json
Get-CASMailbox tony | select Name, *mapi* | ConvertTo-Json -Compress
Get-OrganizationConfig | ConvertTo-Json -Depth 1
Get-CASMailbox | ft Name, MAPIEnabled -AutoSize > mapi.txt
Get-MapiVirtualDirectory | fl >> mapi.txt
Get-CASMailbox | Out-File -FilePath cas.txt
Get-CASMailbox | select Name | Out-File cas.txt -Append
Get-CASMailbox -ResultSize Unlimited | select Name, @{n='Methods';e={(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ';'}} | Export-Csv methods.csv -NoTypeInformation
Get-CASMailbox | Sort-Object Name | Select-Object -Last 2 | Format-Table Name
Get-CASMailbox | Group-Object MapiHttpEnabled | select Name, Count
Write-Host "Mailboxes with MAPI blocked: $((Get-CASMailbox | ? {!$_.MAPIEnabled} | measure).Count)"
Write-Output "MAPI over HTTP is $((Get-OrganizationConfig).MapiHttpEnabled)"
"{0} mailboxes, {1} with MAPI over HTTP forced on" -f (Get-CASMailbox).Count, (Get-CASMailbox | ? MapiHttpEnabled -eq $true).Count
echo "done"

# --- discovery ---
Get-Command *Mapi*
Get-Command -Noun CASMailbox
Get-Command -Verb Set | ft Name
gcm Set-CASMailbox -Syntax
Get-Help Set-CASMailbox -Parameter MAPIEnabled
Get-Help Set-MapiVirtualDirectory -Examples
Set-CASMailbox -?
help Get-CASMailbox -Full | Out-Null

# --- errors handled the PowerShell way ---
Get-CASMailbox nobody -ErrorAction SilentlyContinue
Get-CASMailbox nobody -ErrorAction SilentlyContinue -ErrorVariable err; if ($err) { Write-Host "not found: $($err.Count)" }
Set-CASMailbox tony -MAPIEnabled $false -WarningAction SilentlyContinue; Set-CASMailbox tony -MAPIEnabled $false -WarningVariable w -WarningAction SilentlyContinue; $w.Count
$ErrorActionPreference = 'SilentlyContinue'; Get-CASMailbox nobody; 'went on'
Remove-Mailbox dave -Confirm:$false

# --- PowerShell the subset refuses, with a clear error ---
function Disable-Mapi($id) { Set-CASMailbox $id -MAPIEnabled $false }  # unsupported
try { Get-CASMailbox nobody -ErrorAction Stop } catch { Write-Host "missing" }  # unsupported
$i = 0; while ($i -lt 3) { $i += 1 }  # unsupported
for ($i = 0; $i -lt 3; $i++) { $i }  # unsupported
Get-CASMailbox | % { $_.Name } 2>&1  # unsupported
$params = @{Identity='tony'; MAPIEnabled=$true}; Set-CASMailbox @params  # unsupported
& Get-CASMailbox tony  # unsupported
. .\profile.ps1  # unsupported
Get-CASMailbox | sort { [DateTime]::Now }  # unsupported
switch ((Get-OrganizationConfig).MapiHttpEnabled) { $true { 'on' } default { 'off' } }  # unsupported
