// Which delegation serves a repository: the one every run settles on when two were created at once.
import { describe, expect, it } from '@jest/globals'
import { ecrRepository } from '../../src/aws/arn.js'
import { findDelegation } from '../../src/runpod/delegations.js'
import type { EcrDelegation } from '../../src/runpod/wire.js'

const repo = ecrRepository('111122223333', 'us-east-1', 'team/worker')
const delegation = (id: string, createdAt: string | null, overrides: Partial<EcrDelegation> = {}): EcrDelegation => ({
  id,
  name: null,
  createdAt,
  awsUser: '111122223333',
  awsRegion: 'us-east-1',
  repository: 'team/worker',
  ...overrides
})

describe('findDelegation', () => {
  it('takes the oldest by instant, not by text: a time with fractions of a second is later than the whole second', () => {
    const later = delegation('later', '2026-12-07T10:00:05.250Z')
    const earlier = delegation('earlier', '2026-12-07T10:00:05Z')
    expect(findDelegation([later, earlier], repo)?.id).toBe('earlier')
    expect(findDelegation([delegation('offset', '2026-12-07T11:00:04+01:00'), earlier], repo)?.id).toBe('offset')
  })

  it("counts one without a readable time as the oldest, and keeps Runpod's order between equals", () => {
    expect(findDelegation([delegation('dated', '2026-12-07T10:00:05Z'), delegation('undated', null)], repo)?.id).toBe(
      'undated'
    )
    expect(findDelegation([delegation('first', 'soon'), delegation('second', null)], repo)?.id).toBe('first')
    const at = '2026-12-07T10:00:05Z'
    expect(findDelegation([delegation('first', at), delegation('second', at)], repo)?.id).toBe('first')
  })

  it('only serves the same account, region and repository', () => {
    const others = [
      delegation('account', null, { awsUser: '444455556666' }),
      delegation('region', null, { awsRegion: 'eu-west-1' }),
      delegation('repository', null, { repository: 'team/other' })
    ]
    expect(findDelegation(others, repo)).toBeUndefined()
    expect(findDelegation([...others, delegation('mine', '2026-12-07T10:00:05Z')], repo)?.id).toBe('mine')
  })
})
