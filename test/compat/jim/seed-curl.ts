/**
 * The curl examples of the JIM seed (seeds/004), verbatim: URL, API key header and -d body text exactly as
 * the seed gives them (the test sends them to sked with the key replaced by a sked API key).
 */

export interface CurlExample {
  url: string;
  apiKey: string;
  body: string;
}

export const SEED_CURL = {
  manual: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Ad-Hoc Full Sync",
    "description": "Full import and sync, triggered manually when needed",
    "triggerType": "Manual"
  }`,
  },
  morningImport: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Morning Import",
    "triggerType": "Cron",
    "patternType": "SpecificTimes",
    "daysOfWeek": "1,2,3,4,5",
    "runTimes": "06:00",
    "isEnabled": true
  }`,
  },
  threeDailySync: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Three-Daily Sync",
    "triggerType": "Cron",
    "patternType": "SpecificTimes",
    "daysOfWeek": "0,1,2,3,4,5,6",
    "runTimes": "06:00,12:00,18:00",
    "isEnabled": true
  }`,
  },
  weekendFullImport: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Weekend Full Import",
    "triggerType": "Cron",
    "patternType": "SpecificTimes",
    "daysOfWeek": "0,6",
    "runTimes": "02:00",
    "isEnabled": true
  }`,
  },
  deltaSyncBusinessHours: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Delta Sync (Business Hours)",
    "triggerType": "Cron",
    "patternType": "Interval",
    "daysOfWeek": "1,2,3,4,5",
    "intervalValue": 30,
    "intervalUnit": "Minutes",
    "intervalWindowStart": "08:00",
    "intervalWindowEnd": "18:00",
    "isEnabled": true
  }`,
  },
  regularSync: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Regular Sync",
    "triggerType": "Cron",
    "patternType": "Interval",
    "daysOfWeek": "0,1,2,3,4,5,6",
    "intervalValue": 2,
    "intervalUnit": "Hours",
    "intervalWindowStart": "00:00",
    "intervalWindowEnd": "23:59",
    "isEnabled": true
  }`,
  },
  frequentMorningSync: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Frequent Morning Sync",
    "triggerType": "Cron",
    "patternType": "Interval",
    "daysOfWeek": "1,2,3,4,5",
    "intervalValue": 15,
    "intervalUnit": "Minutes",
    "intervalWindowStart": "07:00",
    "intervalWindowEnd": "12:00",
    "isEnabled": true
  }`,
  },
  monthlyFullImport: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Monthly Full Import",
    "triggerType": "Cron",
    "patternType": "Custom",
    "cronExpression": "0 3 1-7 * 1",
    "isEnabled": true
  }`,
  },
  continuousDeltaSync: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Continuous Delta Sync",
    "triggerType": "Cron",
    "patternType": "Custom",
    "cronExpression": "*/5 * * * *",
    "isEnabled": true
  }`,
  },
  quarterlyAuditExport: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Quarterly Audit Export",
    "triggerType": "Cron",
    "patternType": "Custom",
    "cronExpression": "0 1 1 1,4,7,10 *",
    "isEnabled": true
  }`,
  },
  fullPipeline: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Full Pipeline",
    "triggerType": "Manual",
    "steps": [
      {
        "stepIndex": 0,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 1
      },
      {
        "stepIndex": 1,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 2
      },
      {
        "stepIndex": 2,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 3
      }
    ]
  }`,
  },
  multiSystemSync: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Multi-System Sync",
    "triggerType": "Manual",
    "steps": [
      {
        "stepIndex": 0,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 1
      },
      {
        "stepIndex": 0,
        "stepType": "RunProfile",
        "executionMode": "ParallelWithPrevious",
        "connectedSystemId": 2,
        "runProfileId": 3
      },
      {
        "stepIndex": 1,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 2
      },
      {
        "stepIndex": 1,
        "stepType": "RunProfile",
        "executionMode": "ParallelWithPrevious",
        "connectedSystemId": 2,
        "runProfileId": 4
      },
      {
        "stepIndex": 2,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 5
      }
    ]
  }`,
  },
  mixedStepTypes: {
    url: 'https://jim.example.com/api/v1/schedules',
    apiKey: 'jim_xxxxxxxxxxxx',
    body: `{
    "name": "Import with Pre and Post Scripts",
    "triggerType": "Manual",
    "steps": [
      {
        "stepIndex": 0,
        "stepType": "PowerShell",
        "name": "Pre-import validation",
        "scriptPath": "/opt/jim/scripts/validate-source.ps1",
        "timeoutSeconds": 300
      },
      {
        "stepIndex": 1,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 1
      },
      {
        "stepIndex": 2,
        "stepType": "RunProfile",
        "connectedSystemId": 1,
        "runProfileId": 2
      },
      {
        "stepIndex": 3,
        "stepType": "PowerShell",
        "name": "Post-sync notifications",
        "scriptPath": "/opt/jim/scripts/send-report.ps1",
        "arguments": "-ReportType Summary -SendEmail",
        "continueOnFailure": true,
        "timeoutSeconds": 120
      }
    ]
  }`,
  },
} satisfies Record<string, CurlExample>;

export type SeedExampleName = keyof typeof SEED_CURL;
