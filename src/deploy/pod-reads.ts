// The pod reads of one polling round as one request: while several pods are waited for, their polls meet
// in a batch that one paged `GET /v2/pods` answers, so a round costs one request (per page), not one per pod.
import type { RunpodClient } from '../runpod/client.js'
import type { RequestBudget } from '../runpod/http.js'
import type { Pod } from '../runpod/wire.js'

interface Waiter {
  readonly resolve: (pod: Pod) => void
  readonly reject: (error: unknown) => void
}

/** How long the first poll of a round waits for the others before the list is read without them. */
const GATHER_MS = 250

export class PodReads {
  /** The pods whose polls share the list: those still being waited for. */
  private readonly polling = new Set<string>()
  private batch = new Map<string, Waiter>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly client: RunpodClient,
    private readonly budget: RequestBudget,
    private readonly gatherMs = GATHER_MS
  ) {}

  join(id: string): void {
    this.polling.add(id)
  }

  /** The pod is no longer polled: a round need not wait for it. */
  leave(id: string): void {
    this.polling.delete(id)
    if (this.batch.size > 0 && this.everyoneAsked()) this.flush()
  }

  read(id: string): Promise<Pod> {
    if (this.polling.size < 2 || !this.polling.has(id)) return this.client.getPod(id, this.budget)
    return new Promise<Pod>((resolve, reject) => {
      this.batch.set(id, { resolve, reject })
      if (this.everyoneAsked()) this.flush()
      else this.timer ??= setTimeout(() => this.flush(), this.gatherMs)
    })
  }

  private everyoneAsked(): boolean {
    return [...this.polling].every((id) => this.batch.has(id))
  }

  private flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.batch
    this.batch = new Map()
    if (batch.size === 1) {
      const [[id, waiter]] = [...batch] as [[string, Waiter]]
      this.client.getPod(id, this.budget).then(waiter.resolve, waiter.reject)
      return
    }
    this.client.listPods(this.budget).then(
      (pods) => {
        const byId = new Map(pods.map((pod) => [pod.id, pod]))
        for (const [id, waiter] of batch) {
          const pod = byId.get(id)
          // Not listed (deleted, or now a cluster member): its own read says what became of it.
          if (pod) waiter.resolve(pod)
          else this.client.getPod(id, this.budget).then(waiter.resolve, waiter.reject)
        }
      },
      (error: unknown) => {
        for (const waiter of batch.values()) waiter.reject(error)
      }
    )
  }
}
