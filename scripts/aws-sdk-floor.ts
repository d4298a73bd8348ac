// The reference for the deploy's peak RSS (`npm run bench -- memory`): the two AWS clients every deploy uses,
// bundled by ncc as dist/ is, one call each against the local stand-ins; with `--fetch`, one request with Node's
// fetch as well, as the Runpod reads go. Nothing of the action runs: this is what the AWS SDK alone costs.
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'

const region = process.env['AWS_REGION'] ?? 'us-east-1'
await new STSClient({ region }).send(new GetCallerIdentityCommand({}))
await new ECRClient({ region }).send(new DescribeRepositoriesCommand({}))
const fetchUrl = process.env['FLOOR_FETCH_URL']
if (process.argv.includes('--fetch') && fetchUrl) await (await fetch(fetchUrl)).text()
