export const id = 388;
export const ids = [388];
export const modules = {

/***/ 5388:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runDeploy: () => (/* binding */ runDeploy)
});

// EXTERNAL MODULE: ./src/aws/image-reference.ts
var image_reference = __webpack_require__(9384);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/runpod/errors.ts
var errors = __webpack_require__(477);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(6752);
// EXTERNAL MODULE: ./src/runpod/api-url.ts
var api_url = __webpack_require__(5816);
;// CONCATENATED MODULE: ./src/runpod/rate-limit.ts
// HTTP rate-limit headers: Retry-After (RFC 9110) and RateLimit (IETF httpapi-ratelimit-headers draft).
/**
 * Parses a `RateLimit` structured-field list such as `"minute";r=0;t=12, "hour";r=2800;t=1812`.
 * Members without both `r` and `t` are skipped: a header we cannot read must not stall the client.
 */
function parseRateLimit(header) {
    if (!header)
        return [];
    const windows = [];
    for (const member of header.split(',')) {
        const [rawName, ...params] = member.split(';').map((part) => part.trim());
        if (!rawName)
            continue;
        const values = new Map();
        for (const param of params) {
            const match = /^([a-z]+)=(\d+)$/.exec(param);
            if (match?.[1] && match[2])
                values.set(match[1], Number(match[2]));
        }
        const remaining = values.get('r');
        const resetSeconds = values.get('t');
        if (remaining === undefined || resetSeconds === undefined)
            continue;
        windows.push({ name: rawName.replace(/^"(.*)"$/, '$1'), remaining, resetSeconds });
    }
    return windows;
}
/** Milliseconds to wait before the next request: the longest reset among exhausted windows, 0 when none is. */
function rateLimitPauseMs(windows) {
    return Math.max(0, ...windows.filter((window) => window.remaining === 0).map((window) => window.resetSeconds * 1000));
}
/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(header, now) {
    if (!header)
        return undefined;
    const value = header.trim();
    if (/^\d+$/.test(value))
        return Number(value) * 1000;
    const date = Date.parse(value);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}

// EXTERNAL MODULE: ./src/runpod/wire.ts
var wire = __webpack_require__(8755);
;// CONCATENATED MODULE: ./src/runpod/http.ts
// Runpod's HTTP transport over undici: bearer auth, a timeout on every request, one retry path for
// requests that are safe to repeat, one never-twice path for creates, and a pause before the rate limit
// rather than after it.







// Every target is read and patched at once; a smaller pool would queue them into extra round trips.
const MAX_CONNECTIONS = 64;
const SILENT = { debug: () => { }, info: () => { } };
class RunpodHttp {
    baseUrl;
    apiKey;
    requestTimeoutMs;
    maxRetries;
    backoffBaseMs;
    backoffMaxMs;
    maxWaitMs;
    dispatcher;
    ownsDispatcher;
    sleep;
    random;
    now;
    log;
    /** Earliest time the next request may go out, from a RateLimit header with nothing remaining. */
    notBefore = 0;
    constructor(options) {
        const { baseUrl } = options;
        // inputs.ts checks this too; repeated here because the key must never leave over plain HTTP.
        if (!(0,api_url/* isSafeApiUrl */.fb)(baseUrl)) {
            throw new src_errors/* ActionError */.lZ(`Refusing to send the Runpod API key to ${baseUrl.origin}: 'runpod-api-url' must be https:// (plain http:// only for loopback test servers).`);
        }
        this.baseUrl = baseUrl;
        this.apiKey = options.apiKey;
        this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
        this.maxRetries = options.maxRetries ?? 4;
        this.backoffBaseMs = options.backoffBaseMs ?? 500;
        this.backoffMaxMs = options.backoffMaxMs ?? 10_000;
        this.maxWaitMs = options.maxWaitMs ?? 120_000;
        this.ownsDispatcher = options.dispatcher === undefined;
        this.dispatcher = options.dispatcher ?? defaultDispatcher(this.requestTimeoutMs);
        this.sleep = options.sleep ?? ((ms, signal) => (0,promises_.setTimeout)(ms, undefined, signal ? { signal } : {}));
        this.random = options.random ?? Math.random;
        this.now = options.now ?? Date.now;
        this.log = options.log ?? SILENT;
    }
    /** A request that is safe to repeat (reads, deletes, idempotent updates): retried while it may succeed. */
    async request(call) {
        for (let attempt = 0;; attempt++) {
            try {
                return await this.once(call);
            }
            catch (error) {
                await this.beforeRetry(call, error, attempt);
            }
        }
    }
    /**
     * A write that must not take effect twice (a create, a PATCH that restarts a pod or adds a release). After
     * a failure that may have taken effect (no answer, a 5xx, a 2xx whose body cannot be read), `settled` reads
     * the state again: when it shows the write, that is the result; only otherwise is the write sent again.
     */
    async writeOnce(call, parse, settled, recovered) {
        const where = `${call.method} ${call.path}`;
        for (let attempt = 0;; attempt++) {
            let failure;
            try {
                const body = await this.once(call);
                try {
                    return parse(body, where);
                }
                catch (error) {
                    failure = unreadable(where, error);
                }
            }
            catch (error) {
                failure = error;
            }
            await this.beforeRetry(call, failure, attempt);
            const applied = await settled();
            if (applied !== undefined) {
                this.log.info(recovered(applied));
                return applied;
            }
        }
    }
    /**
     * The text of a server-sent event stream that backfills and then follows live output: reading stops
     * once the stream has been quiet for `idleMs`, or at the request timeout.
     */
    async eventStream(path, resource, idleMs) {
        await this.waitForRateLimit({ method: 'GET', path });
        const controller = new AbortController();
        const overall = setTimeout(() => controller.abort(), this.requestTimeoutMs);
        let idle;
        let headersReceived = false;
        let text = '';
        const started = this.now();
        try {
            const response = await (0,undici/* request */.Em)(this.url(path), {
                dispatcher: this.dispatcher,
                method: 'GET',
                headers: { ...this.authHeaders(), accept: 'text/event-stream' },
                headersTimeout: this.requestTimeoutMs,
                signal: controller.signal
            });
            headersReceived = true;
            this.noteRateLimit(response.headers);
            this.log.debug(`Runpod GET ${path} -> ${response.statusCode} (${this.now() - started} ms)`);
            if (response.statusCode !== 200) {
                throw (0,errors/* responseError */.U3)({
                    method: 'GET',
                    path,
                    status: response.statusCode,
                    body: await response.body.text(),
                    resource
                });
            }
            const decoder = new TextDecoder();
            const quiet = () => {
                clearTimeout(idle);
                idle = setTimeout(() => controller.abort(), idleMs);
            };
            quiet();
            for await (const chunk of response.body) {
                text += decoder.decode(chunk, { stream: true });
                quiet();
            }
        }
        catch (error) {
            // Our own abort after the headers ends the read; anything else is a real failure.
            if (!(headersReceived && controller.signal.aborted)) {
                throw error instanceof errors/* RunpodApiError */.lp ? error : (0,errors/* networkError */.x6)('GET', path, this.baseUrl, error);
            }
        }
        finally {
            clearTimeout(overall);
            clearTimeout(idle);
        }
        return text;
    }
    async close() {
        if (this.ownsDispatcher)
            await this.dispatcher.close();
    }
    /** Throws when the failure is final; otherwise waits the retry delay (within the budget). */
    async beforeRetry(call, error, attempt) {
        if (!this.shouldRetry(error, attempt))
            throw this.final(error, attempt);
        const delay = this.retryDelay(error, attempt);
        const deadline = call.budget?.deadline;
        if (deadline !== undefined && this.now() + delay >= deadline) {
            throw new errors/* RunpodApiError */.lp(`${error.message} No time is left before the deadline to retry.`, {
                summary: error.summary,
                retryable: false,
                ...(error.status === undefined ? {} : { status: error.status })
            });
        }
        this.log.debug(`Runpod ${call.method} ${call.path}: retrying in ${delay} ms`);
        await this.pause(delay, call);
    }
    async pause(ms, call) {
        try {
            await this.sleep(ms, call.budget?.signal);
        }
        catch (error) {
            if (call.budget?.signal?.aborted)
                throw cancelled(call);
            throw error;
        }
    }
    shouldRetry(error, attempt) {
        if (!(error instanceof errors/* RunpodApiError */.lp) || !error.retryable || attempt >= this.maxRetries)
            return false;
        return error.retryAfterMs === undefined || error.retryAfterMs <= this.maxWaitMs;
    }
    final(error, attempt) {
        if (!(error instanceof errors/* RunpodApiError */.lp) || !error.retryable)
            return error;
        const details = {
            summary: error.summary,
            retryable: false,
            ...(error.status === undefined ? {} : { status: error.status }),
            ...(error.problem ? { problem: error.problem } : {})
        };
        if (error.retryAfterMs !== undefined && error.retryAfterMs > this.maxWaitMs) {
            return new errors/* RunpodApiError */.lp(`${error.message} Runpod asks to wait ${Math.ceil(error.retryAfterMs / 1000)} s, longer than this action waits: rerun the job later.`, details);
        }
        return new errors/* RunpodApiError */.lp(`${error.message} Gave up after ${attempt + 1} attempts; rerun the job later.`, details);
    }
    /** Retry-After when Runpod gave one; otherwise exponential backoff with jitter, capped. */
    retryDelay(error, attempt) {
        if (error.retryAfterMs !== undefined)
            return error.retryAfterMs;
        const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** attempt);
        return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    }
    async once(call) {
        await this.waitForRateLimit(call);
        const timeoutMs = this.timeLeft(call);
        const started = this.now();
        let status;
        let headers;
        let text;
        try {
            const signals = [AbortSignal.timeout(timeoutMs), ...(call.budget?.signal ? [call.budget.signal] : [])];
            const response = await (0,undici/* request */.Em)(this.url(call.path), {
                dispatcher: this.dispatcher,
                method: call.method,
                headers: {
                    ...this.authHeaders(),
                    accept: 'application/json',
                    ...(call.body === undefined ? {} : { 'content-type': 'application/json' })
                },
                ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
                headersTimeout: timeoutMs,
                bodyTimeout: timeoutMs,
                signal: AbortSignal.any(signals)
            });
            status = response.statusCode;
            headers = response.headers;
            text = await response.body.text();
        }
        catch (error) {
            this.log.debug(`Runpod ${call.method} ${call.path} -> no response (${this.now() - started} ms)`);
            if (call.budget?.signal?.aborted)
                throw cancelled(call);
            throw (0,errors/* networkError */.x6)(call.method, call.path, this.baseUrl, error);
        }
        this.log.debug(`Runpod ${call.method} ${call.path} -> ${status} (${this.now() - started} ms)`);
        this.noteRateLimit(headers);
        if (call.graphql && status === 400) {
            const parsed = (0,wire/* jsonOrUndefined */._D)(text);
            if (parsed !== undefined)
                return parsed;
        }
        if (status < 200 || status >= 300) {
            const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), this.now());
            throw (0,errors/* responseError */.U3)({
                method: call.method,
                path: call.path,
                status,
                body: text,
                ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
                ...(call.resource ? { resource: call.resource } : {})
            });
        }
        if (status === 204)
            return undefined;
        const body = (0,wire/* jsonOrUndefined */._D)(text);
        if (body === undefined) {
            throw unreadable(`${call.method} ${call.path}`, `Runpod answered ${call.method} ${call.path} with ${status} but the body is not JSON. Check that 'runpod-api-url' (${this.baseUrl.origin}) points at the Runpod REST API v2.`, status);
        }
        return body;
    }
    /** The time an attempt may take: the request timeout, or less when the budget's deadline is nearer. */
    timeLeft(call) {
        const deadline = call.budget?.deadline;
        if (deadline === undefined)
            return this.requestTimeoutMs;
        const left = deadline - this.now();
        if (left <= 0) {
            throw new errors/* RunpodApiError */.lp(`Runpod request ${call.method} ${call.path} was not sent: the deadline has passed.`, {
                summary: 'deadline passed',
                retryable: false
            });
        }
        return Math.min(this.requestTimeoutMs, left);
    }
    noteRateLimit(headers) {
        const pause = rateLimitPauseMs(parseRateLimit(header(headers, 'ratelimit')));
        // A reset further away than we would wait is left to the server's 429 and its clear message.
        if (pause > 0 && pause <= this.maxWaitMs)
            this.notBefore = Math.max(this.notBefore, this.now() + pause);
    }
    async waitForRateLimit(call) {
        const wait = this.notBefore - this.now();
        if (wait <= 0)
            return;
        this.log.info(`Runpod rate limit reached: waiting ${Math.ceil(wait / 1000)} s before the next request.`);
        await this.pause(wait, call);
    }
    url(path) {
        return new URL(this.baseUrl.pathname.replace(/\/+$/, '') + path, this.baseUrl);
    }
    authHeaders() {
        return { authorization: `Bearer ${this.apiKey}`, 'user-agent': 'runpod-ecr-deploy' };
    }
}
/** A keep-alive pool; through the runner's proxy when HTTPS_PROXY or HTTP_PROXY is set (NO_PROXY honoured). */
function defaultDispatcher(connectTimeoutMs) {
    const options = { keepAliveTimeout: 10_000, connections: MAX_CONNECTIONS, connect: { timeout: connectTimeoutMs } };
    const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => process.env[name]);
    return proxied ? new undici/* EnvHttpProxyAgent */.J2(options) : new undici/* Agent */.g6(options);
}
function header(headers, name) {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
}
/**
 * A 2xx whose body cannot be read (cut short, not JSON, not the expected shape): the request may well have
 * taken effect, so it is retryable, and writes read the state before any repeat.
 */
function unreadable(where, error, status) {
    const message = typeof error === 'string' ? error : (0,src_errors/* errorMessage */.gJ)(error);
    return new errors/* RunpodApiError */.lp(message, {
        summary: `unreadable answer to ${where}`,
        retryable: true,
        ...(status === undefined ? {} : { status })
    });
}
function cancelled(call) {
    return new errors/* RunpodApiError */.lp(`Runpod request ${call.method} ${call.path} was cancelled.`, {
        summary: 'cancelled',
        retryable: false
    });
}

;// CONCATENATED MODULE: ./src/runpod/client.ts
// Runpod REST API v2 (and the one GraphQL mutation REST lacks): one thin method per endpoint the action
// calls. Retries, timeouts and the rate limit are the transport's (http.ts); what a response means is the
// callers'.




const DELEGATIONS = '/v2/registries/delegations';
const REGISTRIES = '/v2/registries';
const GRAPHQL = '/graphql';
const PAGE_SIZE = 100;
/** A guard against a server that never ends a list. */
const MAX_PAGES = 100;
/** How a server says a GraphQL field is gone: the standard validation message, or a retirement notice. */
const GRAPHQL_GONE = /cannot query field|unknown (field|mutation)|(field|mutation)\b[^.]*\b(does not exist|is not defined)|\bretired\b|no longer (available|supported)/i;
class RunpodClient {
    http;
    logIdleMs;
    constructor(options) {
        this.http = new RunpodHttp(options);
        this.logIdleMs = options.logIdleMs ?? 1_500;
    }
    async listDelegations(budget) {
        return this.listAll(DELEGATIONS, wire/* parseDelegationPage */.Hl, budget);
    }
    /** A create is not idempotent: `findCreated` recognises one whose answer was lost, so it is never repeated. */
    async createDelegation(body, findCreated) {
        return this.http.writeOnce({ method: 'POST', path: DELEGATIONS, body }, wire/* parseCreatedDelegation */.ed, findCreated, (created) => `Runpod created delegation ${created.id} although the response to the request was lost; using it.`);
    }
    async deleteDelegation(id) {
        await this.http.request({ method: 'DELETE', path: `${DELEGATIONS}/${encodeURIComponent(id)}` });
    }
    async listRegistries(budget) {
        return this.listAll(REGISTRIES, wire/* parseRegistryPage */.uI, budget);
    }
    /** A create is not idempotent: `findCreated` recognises one whose answer was lost, so it is never repeated. */
    async createRegistry(body, findCreated) {
        return this.http.writeOnce({ method: 'POST', path: REGISTRIES, body }, wire/* parseCreatedRegistry */.$_, findCreated, (created) => `Runpod created registry credential ${created.id} although the response to the request was lost; using it.`);
    }
    /**
     * Every item of a list endpoint, following `nextCursor` while `hasNextPage` (cursor pagination came after
     * the OpenAPI document; a response without `pagination` is the whole list).
     */
    async listAll(path, parse, budget) {
        const items = [];
        let cursor;
        for (let page = 0; page < MAX_PAGES; page++) {
            const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor === undefined ? {} : { cursor }) });
            const url = `${path}?${query}`;
            const result = parse(await this.http.request({ method: 'GET', path: url, ...(budget ? { budget } : {}) }), `GET ${path}`);
            items.push(...result.items);
            if (result.nextCursor === undefined)
                return items;
            cursor = result.nextCursor;
        }
        throw new src_errors/* ActionError */.lZ(`Runpod's list ${path} did not end after ${MAX_PAGES} pages of ${PAGE_SIZE}. Retry the job; report it if it persists.`);
    }
    /** Deleting twice has the same effect as once, so it is retried like a read (a 404 then means done). */
    async deleteRegistry(id) {
        await this.http.request({ method: 'DELETE', path: `${REGISTRIES}/${encodeURIComponent(id)}` });
    }
    /**
     * Replaces the username and password of a registry credential in place through Runpod's GraphQL API
     * (REST v2 has no update). Setting the same values twice is harmless, so it is retried like a read.
     * 'retired' when the API or the mutation is gone: HTTP 404/410 or a GraphQL error saying so.
     */
    async updateRegistryAuth(id, username, password) {
        // Inline arguments: the input type's name is not part of any published contract; JSON strings are valid GraphQL strings.
        const input = `{id: ${JSON.stringify(id)}, username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)}}`;
        const call = {
            method: 'POST',
            path: GRAPHQL,
            body: { query: `mutation { updateRegistryAuth(input: ${input}) { id name } }` },
            graphql: true
        };
        let body;
        try {
            body = await this.http.request(call);
        }
        catch (error) {
            if (error instanceof errors/* RunpodApiError */.lp && (error.status === 404 || error.status === 410))
                return { kind: 'retired', reason: error.summary };
            throw error;
        }
        const result = (0,wire/* parseGraphqlResult */.Oc)(body, 'updateRegistryAuth', `POST ${GRAPHQL} (updateRegistryAuth)`);
        const gone = result.errors.find((message) => GRAPHQL_GONE.test(message));
        if (gone !== undefined)
            return { kind: 'retired', reason: gone };
        if (result.errors.length > 0 || result.data === undefined) {
            throw new src_errors/* ActionError */.lZ(`Runpod's GraphQL API did not update registry credential ${id}: ${result.errors.join('; ') || 'the answer carries no data'}. Check that the key in 'runpod-api-key' may manage registry credentials, or delete the credential in the Runpod console (Settings → Container Registry Auth) so that the action creates a new one.`);
        }
        return { kind: 'updated' };
    }
    async getPod(id, budget) {
        const path = podPath(id);
        return (0,wire/* parsePod */.fe)(await this.http.request(targetCall('GET', path, 'pod', id, budget)), `GET ${path}`);
    }
    /** Sent once: after a lost or unreadable answer the pod is read again, and a pod that shows the change is patched. */
    async patchPod(id, body, budget) {
        const path = podPath(id);
        return this.http.writeOnce({ ...targetCall('PATCH', path, 'pod', id, budget), body }, wire/* parsePod */.fe, async () => shows(await this.getPod(id, budget), body), () => `Runpod applied the update of pod ${id} although its answer was lost or unreadable; not sending it again.`);
    }
    async getEndpoint(id, budget) {
        const path = endpointPath(id);
        return (0,wire/* parseEndpoint */.Bk)(await this.http.request(targetCall('GET', path, 'endpoint', id, budget)), `GET ${path}`);
    }
    /** Sent once, like patchPod: a second PATCH would create a second release. */
    async patchEndpoint(id, body, budget) {
        const path = endpointPath(id);
        return this.http.writeOnce({ ...targetCall('PATCH', path, 'endpoint', id, budget), body }, wire/* parseEndpoint */.Bk, async () => shows(await this.getEndpoint(id, budget), body), () => `Runpod applied the update of endpoint ${id} although its answer was lost or unreadable; not sending it again.`);
    }
    async listEndpointReleases(id, budget) {
        const path = `${endpointPath(id)}/releases`;
        return (0,wire/* parseEndpointReleases */.pL)(await this.http.request(targetCall('GET', path, 'endpoint', id, budget)), `GET ${path}`);
    }
    async listEndpointWorkers(id, budget) {
        const path = `${endpointPath(id)}/workers`;
        return (0,wire/* parseEndpointWorkers */.u0)(await this.http.request(targetCall('GET', path, 'endpoint', id, budget)), `GET ${path}`);
    }
    /** The last lines of a pod's system log (a server-sent event stream that backfills `tail` lines). */
    async podSystemLog(id, maxLines) {
        const path = `${podPath(id)}/logs?source=system&tail=${maxLines}`;
        return (0,wire/* parseLogEvents */.nU)(await this.http.eventStream(path, { kind: 'pod', id }, this.logIdleMs)).slice(-maxLines);
    }
    async close() {
        await this.http.close();
    }
}
function targetCall(method, path, kind, id, budget) {
    return { method, path, resource: { kind, id }, ...(budget ? { budget } : {}) };
}
/** The target as read, when it already carries the change (undefined otherwise). */
function shows(target, change) {
    const registryDone = change.registry === undefined || target.registry === change.registry;
    return target.image === change.image && registryDone ? target : undefined;
}
function podPath(id) {
    return `/v2/pods/${encodeURIComponent(id)}`;
}
function endpointPath(id) {
    return `/v2/serverless/${encodeURIComponent(id)}`;
}

;// CONCATENATED MODULE: ./src/deploy/log.ts
/** Runs `work` inside a collapsible log group. */
async function inGroup(log, name, work) {
    log.startGroup(name);
    try {
        return await work();
    }
    finally {
        log.endGroup();
    }
}

// EXTERNAL MODULE: ./src/policy/runpod-statement.ts
var runpod_statement = __webpack_require__(6696);
;// CONCATENATED MODULE: ./src/runpod/delegations.ts



/** The delegation for this repository, if Runpod has one (account, region and repository all match; never the tag). */
function findDelegation(delegations, repo) {
    return oldest(delegations.filter((delegation) => serves(delegation, repo)));
}
function serves(delegation, repo) {
    return (delegation.awsUser === repo.account &&
        delegation.awsRegion === repo.region &&
        delegation.repository === repo.repository);
}
/** The first created (by createdAt, then in Runpod's order): where two runs made one each, both keep this one. */
function oldest(delegations) {
    return [...delegations].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''))[0];
}
/**
 * Creates the delegation for a repository, never twice: after a failure that may have taken effect, the
 * delegations are listed again and one for this repository is the one the lost request created. Runpod
 * checks the repository policy at this call, so a rejection almost always means the policy does not (yet)
 * grant Runpod's deployment roles. Then settleDelegation.
 */
async function createDelegation(client, repo, options = {}) {
    return settleDelegation(client, repo, await postDelegation(client, repo, options), options.log);
}
/** The create alone (never twice, the image URI once where the ARN is refused); see createDelegation. */
async function postDelegation(client, repo, options = {}) {
    const { log } = options;
    const create = (resource) => client.createDelegation(options.name === undefined ? { resource } : { resource, name: options.name }, async () => findDelegation(await client.listDelegations(), repo));
    let created;
    try {
        created = await create(repo.arn);
    }
    catch (error) {
        if (!options.imageUri || !refusesResource(error))
            throw refusal(error, repo);
        log?.info(`Runpod did not take the repository ARN as the delegation's resource (${error.summary}): sending the image URI ${options.imageUri} instead.`);
        try {
            created = await create(options.imageUri);
        }
        catch (retryError) {
            throw refusal(retryError, repo);
        }
    }
    return created;
}
/**
 * After a create: another run may have created one at the same moment, so the delegations are listed once
 * more and every run settles on the oldest, deleting its own if that is not it.
 */
async function settleDelegation(client, repo, created, log) {
    const kept = findDelegation(await client.listDelegations(), repo) ?? created;
    if (kept.id === created.id)
        return created;
    log?.info(`Another run created delegation ${kept.id} for ${repo.arn} at the same time: using it and deleting ${created.id}.`);
    await client.deleteDelegation(created.id).catch((error) => {
        if (!(error instanceof errors/* RunpodApiError */.lp && error.status === 404))
            throw error;
    });
    return kept;
}
/** A 400 or 422 whose problem is about the `resource` value itself, not about the repository policy. */
function refusesResource(error) {
    if (!(error instanceof errors/* RunpodApiError */.lp) || (error.status !== 400 && error.status !== 422))
        return false;
    const text = [error.problem?.detail ?? error.summary, ...(error.problem?.errors ?? [])].join(' ');
    return /\bresource\b/i.test(text) && !/polic/i.test(text);
}
function refusal(error, repo) {
    if (!(error instanceof errors/* RunpodApiError */.lp) || (error.status !== 400 && error.status !== 403 && error.status !== 422))
        return error;
    return new src_errors/* ActionError */.lZ(`Runpod refused to create an ECR delegation for ${repo.arn} (${error.summary}): the repository policy of '${repo.repository}' does not grant Runpod's deployment roles pull access. ` +
        `Run the action with 'policy: apply' to add the '${runpod_statement/* RUNPOD_STATEMENT_SID */.Mz}' statement, or add it to the repository policy yourself (see docs/aws-setup.md), then rerun. If the policy was just changed, AWS may still be propagating it: rerun in a minute. If 'runpod-principals' is set, check that it lists Runpod's current deployment roles.` +
        (error.status === 403
            ? " If the policy is in place, check that the key in 'runpod-api-key' may manage registry delegations."
            : ''));
}

// EXTERNAL MODULE: ./src/policy/grant.ts
var grant = __webpack_require__(8355);
// EXTERNAL MODULE: ./src/policy/lint.ts
var lint = __webpack_require__(4857);
// EXTERNAL MODULE: ./node_modules/jsonc-parser/lib/umd/main.js
var main = __webpack_require__(9547);
// EXTERNAL MODULE: ./src/aws/arn.ts
var arn = __webpack_require__(1626);
// EXTERNAL MODULE: ./src/policy/document.ts
var policy_document = __webpack_require__(1561);
;// CONCATENATED MODULE: ./src/policy/merge.ts
// Adding Runpod's statement to a repository policy without disturbing anything else: the statement is
// inserted into the text (jsonc-parser's tree for positions, applyEdits for the edits), so every other byte
// stays as it was (formatting, key order, numbers beyond 2^53); the text is compacted only when ECR's limit
// needs it.







const FILE = 'repository policy';
/**
 * Returns the repository policy that grants `principals` pull, keeping every other statement. Unchanged
 * when it already does so safely; refuses (ActionError) to write a policy that is invalid, too long,
 * unsafe, or whose Deny statements take the pull away again, naming the statement to fix.
 */
function applyRunpodGrant(existing, principals, repository) {
    const statement = (0,runpod_statement/* runpodStatement */.k0)(principals);
    const policyName = repository === undefined ? 'the ECR repository policy' : `the repository policy of ${repository}`;
    if (existing === undefined || existing.trim() === '') {
        return checked({
            changed: true,
            policyText: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2),
            statement
        }, principals, policyName);
    }
    const doc = (0,policy_document/* parsePolicy */.O)(existing);
    if (doc.problems.length > 0) {
        throw new src_errors/* ActionError */.lZ(`${capitalise(policyName)} is not a valid policy document (${describe((0,lint/* lintPolicy */.GF)(existing, FILE, principals).filter((finding) => finding.rule === 'RPD007'))}). Fix or delete the repository policy (aws ecr set-repository-policy / delete-repository-policy), then re-run.`);
    }
    refuseDeniedPull(existing, principals, policyName);
    if ((0,grant/* analyzeDocument */.IG)(doc, principals).pullable && !(0,lint/* lintPolicy */.GF)(existing, FILE, principals).some(isError)) {
        return { changed: false, policyText: existing, statement };
    }
    return checked({ changed: true, policyText: fitted(withStatement(existing, statement)), statement }, principals, policyName);
}
/**
 * Fails when a Deny statement takes Runpod's pull away: no Allow can undo it, and the action never edits a
 * Deny, so the message names each such statement and the exemption to add to it.
 */
function refuseDeniedPull(text, principals, policyName) {
    const byStatement = new Map();
    for (const { principal, actions } of (0,grant/* pullVerdicts */.Ih)((0,policy_document/* parsePolicy */.O)(text), principals)) {
        for (const { action, verdict } of actions) {
            if (verdict.kind !== 'denied')
                continue;
            const entry = byStatement.get(verdict.by) ?? { principals: new Set(), actions: new Set() };
            entry.principals.add(principal);
            entry.actions.add(action);
            byStatement.set(verdict.by, entry);
        }
    }
    if (byStatement.size === 0)
        return;
    const denials = [...byStatement].map(([statement, entry]) => `statement "${statement.label}" (line ${statement.line}) denies ${[...entry.actions].join(', ')} to ${[...entry.principals].join(', ')}`);
    throw new src_errors/* ActionError */.lZ(`${capitalise(policyName)} denies Runpod's pull, so the image could never be pulled: ${denials.join('; ')}. The action never edits a Deny statement: exempt the Runpod roles inside it by adding ${(0,runpod_statement/* runpodExemption */.Mj)(principals)} to its "Condition", then rerun.`);
}
/**
 * The policy text with our statement in place of any earlier copy of it, or appended to `Statement`. The
 * edits are made here rather than by jsonc-parser's modify, whose formatting also re-indents the text
 * around an edit: only the inserted text is new, in the file's own indentation and line ends.
 */
function withStatement(text, statement) {
    const root = (0,main.parseTree)(text);
    const statements = root && (0,main.findNodeAtLocation)(root, ['Statement']);
    // parsePolicy has checked both: an object with Statement, an object or an array of them.
    if (!root || !statements)
        throw new Error('withStatement needs a valid policy');
    const style = styleOf(text);
    const render = (indent) => style
        ? JSON.stringify(statement, null, style.unit)
            .split('\n')
            .join(style.eol + indent)
        : JSON.stringify(statement);
    const newLine = (indent) => (style ? style.eol + indent : '');
    const edits = [];
    if ((0,main.findNodeAtLocation)(root, ['Version']) === undefined) {
        // On a line of its own where the first key has one, else inline before it.
        const ownLine = style !== undefined && /^[ \t]*\r?\n/.test(text.slice(root.offset + 1));
        const version = style ? '"Version": "2012-10-17",' : '"Version":"2012-10-17",';
        const content = ownLine ? `${newLine(style.unit)}${version}` : `${version}${style ? ' ' : ''}`;
        edits.push({ offset: root.offset + 1, length: 0, content });
    }
    if (statements.type === 'object') {
        const indent = indentAt(text, statements.offset);
        const content = sidOf(statements) === runpod_statement/* RUNPOD_STATEMENT_SID */.Mz
            ? render(indent)
            : `[${text.slice(statements.offset, end(statements))},${newLine(indent)}${render(indent)}]`;
        edits.push({ offset: statements.offset, length: statements.length, content });
        return (0,main.applyEdits)(text, edits);
    }
    const children = statements.children ?? [];
    const ours = children.filter((child) => sidOf(child) === runpod_statement/* RUNPOD_STATEMENT_SID */.Mz);
    const [first, ...again] = ours;
    if (first) {
        edits.push({ offset: first.offset, length: first.length, content: render(indentAt(text, first.offset)) });
        // Later copies of our Sid (RPD008) go, with the comma and space before each.
        for (const copy of again) {
            const before = children[children.indexOf(copy) - 1];
            const from = before ? end(before) : copy.offset;
            edits.push({ offset: from, length: end(copy) - from, content: '' });
        }
    }
    else {
        const last = children.at(-1);
        if (last) {
            const indent = indentAt(text, last.offset);
            edits.push({ offset: end(last), length: 0, content: `,${newLine(indent)}${render(indent)}` });
        }
        else {
            const outer = indentAt(text, statements.offset);
            const inner = outer + (style?.unit ?? '');
            edits.push({
                offset: statements.offset + 1,
                length: 0,
                content: `${newLine(inner)}${render(inner)}${newLine(outer)}`
            });
        }
    }
    return (0,main.applyEdits)(text, edits);
}
function end(node) {
    return node.offset + node.length;
}
function sidOf(node) {
    return node.type === 'object' ? (0,main.findNodeAtLocation)(node, ['Sid'])?.value : undefined;
}
/** The whitespace that starts the line holding `offset`. */
function indentAt(text, offset) {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}
/** The text's own indentation unit and line ends; undefined for text on one line, where the statement goes compact. */
function styleOf(text) {
    const unit = /\n([ \t]+)\S/.exec(text)?.[1];
    if (unit === undefined)
        return undefined;
    return { unit: unit.startsWith('\t') ? '\t' : unit, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}
/** The text itself when it fits ECR's limit, else the same tokens without whitespace (numbers stay as written). */
function fitted(text) {
    if (text.length <= lint/* POLICY_MAX_CHARS */.uo)
        return text;
    let compact = '';
    let inString = false;
    for (let index = 0; index < text.length; index++) {
        const char = text.charAt(index);
        if (inString) {
            compact += char;
            if (char === '\\')
                compact += text.charAt(++index);
            else if (char === '"')
                inString = false;
        }
        else if (!/\s/.test(char)) {
            compact += char;
            inString = char === '"';
        }
    }
    return compact;
}
/** Refuses a merged policy that ECR would reject or that stays unsafe or ungranted. */
function checked(result, principals, policyName) {
    const { policyText } = result;
    if (policyText.length > lint/* POLICY_MAX_CHARS */.uo) {
        throw new src_errors/* ActionError */.lZ(`Adding the ${runpod_statement/* RUNPOD_STATEMENT_SID */.Mz} statement would make ${policyName} ${policyText.length.toLocaleString('en-US')} characters long, over ECR's limit of ${lint/* POLICY_MAX_CHARS */.uo.toLocaleString('en-US')}. Remove or merge statements in the repository policy, then re-run.`);
    }
    const errors = (0,lint/* lintPolicy */.GF)(policyText, FILE, principals).filter(isError);
    if (errors.length > 0) {
        throw new src_errors/* ActionError */.lZ(`${capitalise(policyName)} would still be unsafe or not grant Runpod pull after adding the ${runpod_statement/* RUNPOD_STATEMENT_SID */.Mz} statement, so it was not written: ${describe(errors)}. Change those statements in the repository policy, then re-run.`);
    }
    return result;
}
function capitalise(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
function isError(finding) {
    return finding.severity === 'error';
}
function describe(findings) {
    return findings.map((finding) => `${finding.rule}: ${finding.message}`).join(' ');
}
/**
 * Whether the policy read back after a write still holds everything that was written: the grant, and every
 * statement of `written` by meaning (AWS rewrites what it stores: key order, whitespace, account ids as
 * `:root` ARNs, one-element arrays as strings). False when another writer replaced the policy in between.
 */
function keepsWrittenPolicy(stored, written, principals) {
    if (!(0,grant/* analyzeDocument */.IG)((0,policy_document/* parsePolicy */.O)(stored), principals).pullable)
        return false;
    const have = canonicalStatements(stored);
    return canonicalStatements(written).every((statement) => {
        const index = have.indexOf(statement);
        if (index < 0)
            return false;
        have.splice(index, 1);
        return true;
    });
}
function canonicalStatements(text) {
    const statements = JSON.parse(text).Statement;
    return (Array.isArray(statements) ? statements : [statements]).map((statement) => JSON.stringify(canonical(statement)));
}
/** The JSON with sorted keys, one-element arrays as their element, and bare account ids as root ARNs. */
function canonical(value, key) {
    if (Array.isArray(value))
        return value.length === 1 ? canonical(value[0], key) : value.map((item) => canonical(item, key));
    if (typeof value === 'string' && key === 'AWS' && (0,arn/* isAccountId */.JG)(value))
        return (0,arn/* accountRootArn */.hd)(value);
    if (typeof value !== 'object' || value === null)
        return value;
    return Object.fromEntries(Object.keys(value)
        .sort()
        .map((name) => [name, canonical(value[name], name)]));
}

// EXTERNAL MODULE: ./src/runpod/registries.ts
var runpod_registries = __webpack_require__(4997);
;// CONCATENATED MODULE: ./src/deploy/plan.ts








/**
 * Decides every write from what was read. Anything that would make the deploy fail throws here, before the
 * first write, so a bad run changes nothing.
 */
function planDeploy(settings, reads) {
    const { image } = reads;
    const digest = reads.imageDigest ?? image.digest;
    const deployImage = chooseDeployImage(settings, image, digest);
    const warnings = [];
    if (image.tag === 'latest' && !settings.pinDigest && !image.digest) {
        warnings.push(`Input 'image' uses the ':latest' tag. Runpod caches images by reference, so a host that already pulled ':latest' may keep running the old image. Set 'pin-digest: true' (deploys ${image.repository}@sha256:…) or push a unique tag.`);
    }
    const policy = planPolicy(settings, reads);
    if (policy.kind !== 'skipped' && policy.supersededAccount) {
        warnings.push(`The repository policy of ${image.repository} still grants the superseded Runpod account 418399314813, which no longer pulls images. Remove that principal; Runpod's current deployment roles are in account 550005742258.`);
    }
    for (const uncertain of policy.kind === 'skipped' ? [] : policy.uncertain) {
        warnings.push(`The repository policy of ${image.repository}: ${uncertain} The deploy goes on; if Runpod cannot pull the image, this Deny is why.`);
    }
    const credential = planRegistryCredential(settings, reads);
    const targets = planTargets(reads.targets, deployImage, credential.kind === 'refresh'
        ? { id: credential.current.id }
        : credential.kind === 'create'
            ? { id: undefined }
            : undefined);
    for (const step of targets) {
        if (step.change === 'patch' && step.target.kind === 'endpoint' && step.target.workersMax === 0) {
            warnings.push(`Endpoint ${step.target.id} (input 'endpoint-id') has max workers 0, as Runpod sets it after 7 days without requests: no worker will run the new release until you raise max workers (Runpod console → the endpoint → Edit).`);
        }
    }
    return {
        deployImage,
        ...(digest ? { digest } : {}),
        policy,
        delegation: planDelegation(settings, reads),
        credential,
        targets,
        warnings
    };
}
/**
 * What each target needs. Without a managed credential only the image counts. With one (`id` undefined
 * while it is still to be created), a target moving to the image gets the credential in the same PATCH;
 * a target already on the image but on another credential gets a credential-only PATCH if it is an
 * endpoint (a new release that rolls out as workers cycle, which they do whenever they scale, and a
 * worker that starts must be able to pull), but not if it is a pod: any PATCH restarts the pod's
 * container, and a running pod needs no credential until its next pull.
 */
function planTargets(targets, deployImage, credential) {
    return targets.map((target) => {
        const onImage = target.image === deployImage;
        if (!credential)
            return { target, change: onImage ? 'unchanged' : 'patch' };
        if (!onImage)
            return { target, change: 'patch', credential: 'set' };
        if (credential.id !== undefined && target.registry === credential.id)
            return { target, change: 'unchanged' };
        return target.kind === 'pod'
            ? { target, change: 'unchanged', credential: 'kept' }
            : { target, change: 'patch', credential: 'set' };
    });
}
function planRegistryCredential(settings, reads) {
    const ecr = reads.image.ecr;
    if (settings.registryAuth !== 'token')
        return { kind: 'skipped', reason: `input 'registry-auth' is ${settings.registryAuth}` };
    if (!ecr)
        return { kind: 'skipped', reason: 'public images need no registry credential' };
    if (!reads.registries || !settings.now)
        throw new Error('registry-auth: token needs the registry credentials and the time');
    return (0,runpod_registries/* planCredential */.lZ)(settings.registryCredentialName ?? (0,runpod_registries/* defaultCredentialName */.Y9)(ecr), reads.registries, reads.targets, settings.now);
}
function chooseDeployImage(settings, image, digest) {
    if (!settings.pinDigest)
        return (0,image_reference/* formatImageReference */.my)(image);
    if (!digest) {
        throw new src_errors/* ActionError */.lZ(`Input 'pin-digest' is true, but the digest of ${(0,image_reference/* formatImageReference */.my)(image)} is unknown (public images are not looked up). Put the digest in 'image' (REPO@sha256:…) or set 'pin-digest: false'.`);
    }
    return (0,image_reference/* imageWithDigest */.WZ)(image, digest);
}
function planPolicy(settings, reads) {
    if (!reads.image.ecr)
        return { kind: 'skipped', reason: 'public images need no repository policy' };
    if (settings.policy === 'skip' || !reads.policy)
        return { kind: 'skipped', reason: "input 'policy' is skip" };
    const repository = reads.image.ecr.repository;
    const text = reads.policy.text;
    const analysis = text === undefined ? undefined : (0,grant/* analyzeGrant */.tn)(text, settings.principals);
    const supersededAccount = analysis?.supersededAccount ?? false;
    const uncertainIn = (policyText) => (0,lint/* lintPolicy */.GF)(policyText, 'repository policy', settings.principals)
        .filter((finding) => finding.rule === 'RPD013')
        .map((finding) => `line ${finding.line}: ${finding.message}`);
    // No statement the action could add undoes a Deny, and the action never edits one: fail in every mode.
    if (text !== undefined)
        refuseDeniedPull(text, settings.principals, `the repository policy of ${repository}`);
    if (settings.policy === 'apply') {
        // The merge also refuses a policy that would stay unsafe, so a granted but public policy fails here too.
        const merge = applyRunpodGrant(text, settings.principals, repository);
        const facts = { supersededAccount, uncertain: uncertainIn(merge.policyText) };
        return merge.changed ? { kind: 'apply', merge, ...facts } : { kind: 'granted', ...facts };
    }
    if (text !== undefined && analysis?.pullable) {
        const errors = (0,lint/* lintPolicy */.GF)(text, 'repository policy', settings.principals).filter((finding) => finding.severity === 'error');
        if (errors.length === 0)
            return { kind: 'granted', supersededAccount, uncertain: uncertainIn(text) };
        throw new src_errors/* ActionError */.lZ(`The repository policy of ${repository} lets Runpod pull but is unsafe: ${errors.map((finding) => `${finding.rule} at line ${finding.line}: ${finding.message}`).join('; ')}. Fix those statements in the repository policy, then rerun.`);
    }
    const missing = analysis
        ? analysis.missing.map((gap) => `${gap.principal} lacks ${gap.actions.join(', ')}`).join('; ')
        : 'the repository has no policy';
    const denied = analysis && analysis.deniedBy.length > 0 ? ` Denied by: ${analysis.deniedBy.join(', ')}.` : '';
    throw new src_errors/* ActionError */.lZ(`The repository policy of ${repository} does not let Runpod pull (${missing}).${denied} Add this statement to the policy, or set 'policy: apply' to let the action add it:\n${JSON.stringify((0,runpod_statement/* runpodStatement */.k0)(settings.principals), null, 2)}`);
}
function planDelegation(settings, reads) {
    const ecr = reads.image.ecr;
    if (!ecr)
        return { kind: 'skipped', reason: 'public images need no delegation' };
    if (settings.registryAuth !== 'delegation' || !reads.delegations) {
        return { kind: 'skipped', reason: `input 'registry-auth' is ${settings.registryAuth}` };
    }
    const existing = findDelegation(reads.delegations, ecr);
    return existing ? { kind: 'reuse', delegation: existing } : { kind: 'create', repository: ecr };
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 17 modules
var core = __webpack_require__(9275);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecr/dist-cjs/index.js
var dist_cjs = __webpack_require__(8249);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var client_sts_dist_cjs = __webpack_require__(1695);
// EXTERNAL MODULE: ./node_modules/http-proxy-agent/dist/index.js
var dist = __webpack_require__(8947);
// EXTERNAL MODULE: ./node_modules/https-proxy-agent/dist/index.js + 1 modules
var https_proxy_agent_dist = __webpack_require__(1566);
// EXTERNAL MODULE: ./node_modules/proxy-from-env/index.js
var proxy_from_env = __webpack_require__(8182);
;// CONCATENATED MODULE: ./src/aws/sdk.ts




/**
 * Settings shared by our AWS clients: bounded connection and request times (the SDK only warns about a
 * slow request unless told to throw), the SDK's standard retry mode (jittered backoff, only for throttling,
 * 5xx and transient network errors), and the runner's proxy: the SDK ignores HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY, so the agent for the service's endpoint is chosen here.
 */
function awsClientSettings(service, region, maxAttempts = 4) {
    const endpoint = serviceEndpoint(service, region);
    const proxy = (0,proxy_from_env/* getProxyForUrl */.T)(endpoint);
    const agent = proxy === ''
        ? {}
        : endpoint.startsWith('https:')
            ? { httpsAgent: new https_proxy_agent_dist/* HttpsProxyAgent */.b(proxy) }
            : { httpAgent: new dist/* HttpProxyAgent */.s(proxy) };
    return {
        maxAttempts,
        retryMode: 'standard',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true, ...agent }
    };
}
/** Where the SDK will send the service's requests: the standard endpoint overrides, else AWS's own. */
function serviceEndpoint(service, region) {
    const override = process.env[`AWS_ENDPOINT_URL_${service}`] || process.env['AWS_ENDPOINT_URL'];
    if (override)
        return override;
    const host = service === 'ECR' ? `api.ecr.${region}` : `sts.${region}`;
    return `https://${host}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}
const REJECTED_CREDENTIALS = new Set([
    'UnrecognizedClientException',
    'InvalidClientTokenId',
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidSignatureException',
    'SignatureDoesNotMatch'
]);
const NETWORK_CODES = new Set([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH'
]);
const NO_CREDENTIALS_HELP = "Either set input 'role-to-assume' to an IAM role that trusts GitHub's OIDC provider (the job needs 'permissions: id-token: write'), or run aws-actions/configure-aws-credentials in a step before this one.";
const TRANSIENT_NAMES = new Set([
    'ThrottlingException',
    'ServiceUnavailableException',
    'ServerException',
    'InternalServerException',
    'TimeoutError',
    'RequestTimeout'
]);
/**
 * A failure after which the call may have taken effect and may succeed when repeated: a 5xx, throttling, a
 * timeout, a reset. Looks through the ActionError this module wraps SDK errors in.
 */
function isTransientAwsError(error) {
    const cause = error?.cause;
    const inner = error instanceof src_errors/* ActionError */.lZ && cause !== undefined ? cause : error;
    const status = inner?.$metadata?.httpStatusCode;
    const code = (0,src_errors/* errorCode */.CA)(inner);
    return (TRANSIENT_NAMES.has(errorName(inner)) ||
        (status !== undefined && status >= 500) ||
        (code !== undefined && NETWORK_CODES.has(code)));
}
/** The error code of an SDK error (service errors carry it as `name`). */
function errorName(error) {
    const name = error?.name;
    return typeof name === 'string' ? name : 'Error';
}
/**
 * Failures every AWS call can hit, whatever the operation: no or rejected credentials, an unreachable
 * endpoint. Returns undefined for anything specific to the operation.
 */
function commonAwsError(error, service, region) {
    const name = errorName(error);
    const message = (0,src_errors/* errorMessage */.gJ)(error);
    if (name === 'CredentialsProviderError') {
        return new src_errors/* ActionError */.lZ(`No AWS credentials were found (${message}). ${NO_CREDENTIALS_HELP}`, { cause: error });
    }
    if (REJECTED_CREDENTIALS.has(name)) {
        return new src_errors/* ActionError */.lZ(`AWS ${service} rejected the credentials (${name}: ${message}). If 'role-to-assume' is empty, the credentials come from the environment: check that aws-actions/configure-aws-credentials ran earlier in this job, that its session has not expired, and that it is for the partition of input 'image' (China and GovCloud accounts need their own credentials).`, { cause: error });
    }
    const code = (0,src_errors/* errorCode */.CA)(error);
    if (name === 'TimeoutError' || (code !== undefined && NETWORK_CODES.has(code))) {
        const variable = [`AWS_ENDPOINT_URL_${service}`, 'AWS_ENDPOINT_URL'].find((name) => process.env[name]);
        const detail = `${code === undefined ? '' : `${code} `}${message}`;
        return new src_errors/* ActionError */.lZ(variable
            ? `Could not reach AWS ${service} at ${process.env[variable]} (set by ${variable}): ${detail}. Check that this endpoint is up, or unset ${variable} to use AWS.`
            : `Could not reach AWS ${service} in region '${region}': ${detail}. Check that the region in input 'image' exists and is enabled for your account, and that the runner can reach AWS.`, { cause: error });
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/aws/credentials.ts






const SESSION_SECONDS = 3600;
const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';
const REPORTED_CLAIMS = [
    'sub',
    'aud',
    'repository',
    'repository_id',
    'repository_owner',
    'repository_owner_id',
    'ref',
    'environment'
];
/**
 * AWS credentials for the ECR calls: a session for `roleToAssume` from GitHub OIDC, or else the default
 * chain (environment, web identity token file, profile), checked here so that a missing setup fails
 * with advice before any other work.
 */
async function resolveAwsCredentials(options) {
    if (options.roleToAssume)
        return assumeRoleWithGitHubOidc({ ...options, roleToAssume: options.roleToAssume });
    return defaultChain(options.region);
}
async function defaultChain(region) {
    // The ECR client's own default provider, so the check resolves exactly what the ECR calls will use.
    const client = new dist_cjs/* ECRClient */.S70({ region, ...awsClientSettings('ECR', region) });
    const provider = client.config.credentials;
    try {
        await provider();
    }
    catch (error) {
        throw new src_errors/* ActionError */.lZ(`No AWS credentials were found: input 'role-to-assume' is empty and the default AWS credential chain found nothing (${(0,src_errors/* errorMessage */.gJ)(error)}). ${NO_CREDENTIALS_HELP}`, { cause: error });
    }
    finally {
        client.destroy();
    }
    return provider;
}
async function assumeRoleWithGitHubOidc(options) {
    const token = await gitHubIdToken(options.audience, options.oidcTimeoutMs ?? 60_000);
    const sts = new client_sts_dist_cjs/* STSClient */.iM({ region: options.region, ...awsClientSettings('STS', options.region) });
    try {
        const response = await sts.send(new client_sts_dist_cjs/* AssumeRoleWithWebIdentityCommand */.WH({
            RoleArn: options.roleToAssume,
            RoleSessionName: options.roleSessionName,
            WebIdentityToken: token,
            DurationSeconds: SESSION_SECONDS
        }));
        const credentials = response.Credentials;
        if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
            throw new Error(`STS returned no credentials for ${options.roleToAssume}`);
        }
        core/* setSecret */.Pq(credentials.AccessKeyId);
        core/* setSecret */.Pq(credentials.SecretAccessKey);
        core/* setSecret */.Pq(credentials.SessionToken);
        return {
            accessKeyId: credentials.AccessKeyId,
            secretAccessKey: credentials.SecretAccessKey,
            sessionToken: credentials.SessionToken,
            ...(credentials.Expiration ? { expiration: credentials.Expiration } : {})
        };
    }
    catch (error) {
        throw stsError(error, options, token);
    }
    finally {
        sts.destroy();
    }
}
async function gitHubIdToken(audience, timeoutMs) {
    if (!process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
        throw new src_errors/* ActionError */.lZ("Input 'role-to-assume' is set but this job cannot request a GitHub OIDC token. Add 'permissions: id-token: write' to the job or workflow (pull requests from forks never get a token). Alternatively leave 'role-to-assume' empty and configure AWS credentials with aws-actions/configure-aws-credentials in an earlier step.");
    }
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
        // getIDToken masks the token itself (core.setSecret) as soon as it arrives.
        return await Promise.race([core/* getIDToken */.V9(audience), timeout]);
    }
    catch (error) {
        throw new src_errors/* ActionError */.lZ(`Could not get a GitHub OIDC token for audience '${audience}' (input 'audience'): ${(0,src_errors/* errorMessage */.gJ)(error)}. Check that the job has 'permissions: id-token: write' and re-run the job.`, { cause: error });
    }
    finally {
        clearTimeout(timer);
    }
}
function stsError(error, options, token) {
    if (error instanceof src_errors/* ActionError */.lZ)
        return error;
    const name = errorName(error);
    const message = (0,src_errors/* errorMessage */.gJ)(error);
    const role = options.roleToAssume;
    if (name === 'AccessDenied' || name === 'InvalidIdentityToken' || name === 'IDPRejectedClaim') {
        return new src_errors/* ActionError */.lZ(`AWS STS refused to let this workflow assume input 'role-to-assume' ${role} (${name}: ${message}). ${trustPolicyHelp(role, options.audience, token)}`, { cause: error });
    }
    if (name === 'ExpiredTokenException' || name === 'ExpiredToken') {
        return new src_errors/* ActionError */.lZ(`The GitHub OIDC token expired before AWS STS accepted it for ${role} (${message}). Re-run the job; if it keeps happening, check the runner's clock.`, { cause: error });
    }
    if (name === 'ValidationError') {
        return new src_errors/* ActionError */.lZ(`AWS STS rejected the request to assume ${role}: ${message}. Check inputs 'role-to-assume' (a role ARN in the image's partition) and 'role-session-name'.`, { cause: error });
    }
    return (commonAwsError(error, 'STS', options.region) ??
        new src_errors/* ActionError */.lZ(`AWS STS AssumeRoleWithWebIdentity for ${role} failed: ${name}: ${message}`, { cause: error }));
}
/** Explains what the role's trust policy must match, from the token's non-secret claims (never the token). */
function trustPolicyHelp(role, audience, token) {
    const claims = tokenClaims(token);
    const shown = REPORTED_CLAIMS.filter((key) => claims[key] !== undefined)
        .map((key) => `${key}=${JSON.stringify(claims[key])}`)
        .join(', ');
    const { partition = 'aws', account = 'ACCOUNT' } = (0,arn/* parseArn */.Lw)(role) ?? {};
    return [
        shown
            ? `The GitHub OIDC token carried these claims: ${shown}.`
            : 'The GitHub OIDC token carried no readable claims.',
        `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal arn:${partition}:iam::${account}:oidc-provider/${GITHUB_ISSUER_HOST} (that IAM OIDC identity provider must exist in the account, with audience '${audience}'),`,
        `with conditions that match these claims: "${GITHUB_ISSUER_HOST}:aud" equal to "${audience}" (input 'audience'),`,
        `and "${GITHUB_ISSUER_HOST}:sub" matching the sub above, for example "repo:OWNER/REPO:ref:refs/heads/main", "repo:OWNER/REPO:environment:NAME" for jobs that use an environment, or StringLike "repo:OWNER/REPO:*".`,
        `Repositories created or renamed after 18 June 2026 (or opted in) get GitHub's immutable sub, with the owner and repository ids appended to their names, "repo:OWNER-OWNER_ID/REPO-REPO_ID:ref:refs/heads/main" (the repository_owner_id and repository_id claims), which name-only patterns do not match. See docs/aws-setup.md.`
    ].join(' ');
}
/** The JWT payload, decoded without verification: only used to explain a refusal. */
function tokenClaims(token) {
    try {
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
        return typeof payload === 'object' && payload !== null ? payload : {};
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./src/aws/ecr.ts




/**
 * Without credentials the client uses the SDK's default chain. Endpoints honour AWS_ENDPOINT_URL_ECR.
 * `maxAttempts: 1` for a write the caller repeats itself, after reading the state again.
 */
function createEcrClient(region, credentials, maxAttempts) {
    return new dist_cjs/* ECRClient */.S70({
        region,
        ...awsClientSettings('ECR', region, maxAttempts),
        ...(credentials ? { credentials } : {})
    });
}
/** The repository's policy text, or undefined when the repository has none. */
async function readRepositoryPolicy(client, repo) {
    try {
        const response = await client.send(new dist_cjs/* GetRepositoryPolicyCommand */.MeN({ registryId: repo.account, repositoryName: repo.repository }));
        return response.policyText;
    }
    catch (error) {
        if (errorName(error) === 'RepositoryPolicyNotFoundException')
            return undefined;
        throw ecrError(error, repo, 'ecr:GetRepositoryPolicy');
    }
}
/**
 * Looks an image up by tag or digest. With both, the tag is looked up and must point at the digest, so
 * a moved tag is reported instead of deploying something else.
 */
async function describeImage(client, repo, selector) {
    const { tag, digest } = selector;
    if (tag === undefined && digest === undefined)
        throw new Error('describeImage needs a tag or a digest');
    const imageId = tag !== undefined ? { imageTag: tag } : { imageDigest: digest };
    let details;
    try {
        const response = await client.send(new dist_cjs/* DescribeImagesCommand */.ji5({ registryId: repo.account, repositoryName: repo.repository, imageIds: [imageId] }));
        details = response.imageDetails?.[0];
    }
    catch (error) {
        if (errorName(error) === 'ImageNotFoundException')
            throw imageNotFound(repo, selector, error);
        throw ecrError(error, repo, 'ecr:DescribeImages');
    }
    if (!details?.imageDigest)
        throw imageNotFound(repo, selector);
    if (tag !== undefined && digest !== undefined && details.imageDigest !== digest) {
        throw new src_errors/* ActionError */.lZ(`Input 'image' names tag '${tag}' with digest ${digest}, but in ECR repository ${repo.arn} the tag now points to ${details.imageDigest}. Use the digest that was pushed with this tag, or drop one of them from input 'image'.`);
    }
    return { digest: details.imageDigest };
}
/** Stores the policy and returns the text AWS kept (AWS may rewrite it: key order, whitespace, account ids). */
async function writeRepositoryPolicy(client, repo, policyText) {
    try {
        const response = await client.send(new dist_cjs/* SetRepositoryPolicyCommand */.IOA({ registryId: repo.account, repositoryName: repo.repository, policyText }));
        return response.policyText ?? policyText;
    }
    catch (error) {
        const name = errorName(error);
        if (isAccessDenied(name)) {
            throw new src_errors/* ActionError */.lZ(`Not allowed to change the repository policy of ${repo.arn} (${name}: ${(0,src_errors/* errorMessage */.gJ)(error)}). Give the AWS role 'ecr:SetRepositoryPolicy' on that repository ARN, or set input 'policy' to 'verify' and add the Runpod statement to the repository policy by hand.`, { cause: error });
        }
        if (name === 'InvalidParameterException') {
            throw new src_errors/* ActionError */.lZ(`ECR rejected the new repository policy for ${repo.arn}: ${(0,src_errors/* errorMessage */.gJ)(error)}. Check the existing statements of that policy and input 'runpod-principals'.`, { cause: error });
        }
        throw ecrError(error, repo, 'ecr:SetRepositoryPolicy');
    }
}
/** A registry login for the account's registry; the token and password are masked at once. */
async function getAuthorizationToken(client, account) {
    const region = await client.config.region();
    let data;
    try {
        const response = await client.send(new dist_cjs/* GetAuthorizationTokenCommand */.Eu6({ registryIds: [account] }));
        data = response.authorizationData?.[0];
    }
    catch (error) {
        const name = errorName(error);
        if (isAccessDenied(name)) {
            throw new src_errors/* ActionError */.lZ(`Not allowed to get an ECR authorization token for account ${account} in ${region} (${name}: ${(0,src_errors/* errorMessage */.gJ)(error)}). Give the AWS role 'ecr:GetAuthorizationToken' on resource '*'.`, { cause: error });
        }
        throw (commonAwsError(error, 'ECR', region) ??
            unexpected(error, `ecr:GetAuthorizationToken for account ${account} in ${region}`));
    }
    if (!data?.authorizationToken) {
        throw new Error(`ECR returned incomplete authorization data for account ${account} in ${region}`);
    }
    core/* setSecret */.Pq(data.authorizationToken);
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0)
        throw new Error('ECR returned an authorization token that is not USER:PASSWORD');
    const password = decoded.slice(separator + 1);
    core/* setSecret */.Pq(password);
    return { username: decoded.slice(0, separator), password };
}
function isAccessDenied(name) {
    return name === 'AccessDeniedException' || name === 'AccessDenied';
}
function imageNotFound(repo, selector, cause) {
    const what = selector.tag !== undefined ? `tag '${selector.tag}'` : `digest ${selector.digest ?? ''}`;
    return new src_errors/* ActionError */.lZ(`The image with ${what} was not found in ECR repository ${repo.arn}. It was never pushed, or was pushed to another repository, account or region: run this action after 'docker push' of exactly the reference in input 'image'.`, cause === undefined ? undefined : { cause });
}
/** Errors shared by the repository reads and writes; `permission` names the IAM action that was called. */
function ecrError(error, repo, permission) {
    const name = errorName(error);
    const arn = repo.arn;
    if (name === 'RepositoryNotFoundException') {
        return new src_errors/* ActionError */.lZ(`ECR repository '${repo.repository}' does not exist in account ${repo.account}, region ${repo.region}. Check the account and region in input 'image' (repositories are regional), or create the repository there before pushing.`, { cause: error });
    }
    if (isAccessDenied(name)) {
        return new src_errors/* ActionError */.lZ(`Not allowed to call ${permission} on ${arn} (${name}: ${(0,src_errors/* errorMessage */.gJ)(error)}). Give the AWS role '${permission}' on that repository ARN.`, { cause: error });
    }
    return commonAwsError(error, 'ECR', repo.region) ?? unexpected(error, `${permission} on ${arn}`);
}
function unexpected(error, call) {
    return new src_errors/* ActionError */.lZ(`AWS ${call} failed: ${errorName(error)}: ${(0,src_errors/* errorMessage */.gJ)(error)}`, { cause: error });
}

;// CONCATENATED MODULE: ./src/runpod/targets.ts
// Runpod Pods and Serverless endpoints as deploy targets: read the current image, patch a new one.

/** Current state of a target; an unknown id fails with a message naming the `pod-id`/`endpoint-id` input. */
async function readTarget(client, kind, id) {
    if (kind === 'endpoint') {
        const [endpoint, releases] = await Promise.all([client.getEndpoint(id), client.listEndpointReleases(id)]);
        return { ...endpointState(endpoint), version: releases.endpointVersion };
    }
    const pod = await client.getPod(id);
    // Found in the read phase, so an undeployable pod fails the run before anything is written.
    if (pod.status === 'TERMINATED') {
        throw new src_errors/* ActionError */.lZ(`Pod ${id} (input 'pod-id') is TERMINATED: a deleted pod cannot run a new image. Remove it from 'pod-id', or create a new pod and use its id.`);
    }
    if (pod.inCluster) {
        throw new src_errors/* ActionError */.lZ(`Pod ${id} (input 'pod-id') belongs to a Runpod cluster, and cluster pods cannot be changed through the pod API. Remove it from 'pod-id' and update the cluster instead.`);
    }
    return podState(pod);
}
/**
 * Points a target at an image. Sends only `image` (and `registry` when given, `null` clearing it):
 * Runpod's update schemas reject fields they do not name, and a PATCH changes only what it carries.
 */
async function patchTargetImage(client, target, image, registry, budget) {
    const body = registry === undefined ? { image } : { image, registry };
    return target.kind === 'pod'
        ? podState(await client.patchPod(target.id, body, budget))
        : endpointState(await client.patchEndpoint(target.id, body, budget));
}
function podState(pod) {
    const { id, name, image, registry, status, startedAt } = pod;
    return { kind: 'pod', id, name, image, registry, status, startedAt };
}
function endpointState(endpoint) {
    return {
        kind: 'endpoint',
        id: endpoint.id,
        name: endpoint.name,
        image: endpoint.image ?? '',
        registry: endpoint.registry,
        workersMax: endpoint.workersMax
    };
}

// EXTERNAL MODULE: ./src/deploy/report.ts
var deploy_report = __webpack_require__(5505);
;// CONCATENATED MODULE: ./src/deploy/read.ts





/** Several read failures together, so one run names all of them before anything is changed. */
class ReadProblems extends src_errors/* ActionError */.lZ {
    problems;
    constructor(problems) {
        super(`Found ${problems.length} problems before changing anything:\n${problems.map((problem) => `- ${(0,src_errors/* errorMessage */.gJ)(problem)}`).join('\n')}`);
        this.problems = problems;
    }
}
/** Like Promise.all, but waits for every read and throws all their failures together (nested lists flattened). */
async function allOrProblems(reads) {
    const results = await Promise.allSettled(reads);
    const problems = results.flatMap((result) => result.status === 'fulfilled'
        ? []
        : result.reason instanceof ReadProblems
            ? result.reason.problems
            : [result.reason]);
    if (problems.length === 1)
        throw problems[0];
    if (problems.length > 1)
        throw new ReadProblems(problems);
    return results.map((result) => result.value);
}
async function readEverything(inputs, image, region, runpod, log) {
    const wantsDelegations = image.ecr !== undefined && inputs.registryAuth === 'delegation';
    const wantsRegistries = image.ecr !== undefined && inputs.registryAuth === 'token';
    // The AWS chain (OIDC → STS → {policy, image, token}) runs beside the Runpod reads.
    const [aws, delegations, registries, targets] = await allOrProblems([
        readAws(inputs, image, region),
        wantsDelegations ? runpod.listDelegations() : undefined,
        wantsRegistries ? runpod.listRegistries() : undefined,
        allOrProblems([
            ...inputs.podIds.map((id) => readTarget(runpod, 'pod', id)),
            ...inputs.endpointIds.map((id) => readTarget(runpod, 'endpoint', id))
        ])
    ]);
    const reads = {
        image,
        ...(aws.digest ? { imageDigest: aws.digest } : {}),
        ...(aws.policy ? { policy: aws.policy } : {}),
        ...(delegations ? { delegations } : {}),
        ...(registries ? { registries } : {}),
        targets
    };
    (0,deploy_report/* logReads */.k0)(log, reads, aws.login !== undefined);
    return {
        reads,
        ...(aws.client ? { ecr: aws.client } : {}),
        ...(aws.policyWriter ? { policyWriter: aws.policyWriter } : {}),
        ...(aws.login ? { login: aws.login } : {})
    };
}
async function readAws(inputs, image, region) {
    const repo = image.ecr;
    if (!repo)
        return {};
    const credentials = await resolveAwsCredentials({
        ...(inputs.roleToAssume ? { roleToAssume: inputs.roleToAssume } : {}),
        roleSessionName: inputs.roleSessionName,
        audience: inputs.audience,
        region
    });
    const client = createEcrClient(region, credentials);
    const [found, policyText, login] = await Promise.all([
        describeImage(client, repo, { tag: image.tag, digest: image.digest }),
        inputs.policy === 'skip' ? undefined : readRepositoryPolicy(client, repo),
        // Also in verify mode: a read that proves the role may get the token a deploy needs.
        inputs.registryAuth === 'token' ? getAuthorizationToken(client, repo.account) : undefined
    ]);
    return {
        client,
        policyWriter: () => createEcrClient(region, credentials, 1),
        digest: found.digest,
        ...(inputs.policy === 'skip' ? {} : { policy: { text: policyText } }),
        ...(login ? { login } : {})
    };
}

;// CONCATENATED MODULE: ./src/deploy/rollout.ts
// Waiting until patched targets run the new image, and putting the old image back when they do not.
// The waiting does the requests; each decision (judgePod, judgeEndpoint) is a pure function of the
// patched target and what Runpod returned. One deadline bounds the whole wait, every request included;
// a rollback after it has a budget of its own, and counts only once the previous image is seen again.




const ROLLBACK_BUDGET_MS = 60_000;
const NOT_READ = 'not read yet';
/** After a cancel the runner kills the process within seconds: the rollback PATCHes get this long. */
const CANCEL_BUDGET_MS = 4_000;
/** Waits for every patched target concurrently; each outcome says whether it rolled out, back, or failed. */
async function waitForRollouts(client, patched, options, log) {
    const clock = {
        now: options.now ?? Date.now,
        sleep: options.sleep ?? ((ms, signal) => (0,promises_.setTimeout)(ms, undefined, signal ? { signal } : {}))
    };
    const deadline = clock.now() + options.timeoutMs;
    const wait = { client, options, clock, log };
    return Promise.all(patched.map((entry) => waitForOne(wait, entry, deadline)));
}
async function waitForOne(wait, entry, deadline) {
    const { options, clock, log } = wait;
    const { target, image, patchedAt } = entry;
    const label = labelOf(target);
    const last = await poll(wait, entry, deadline, `${label}: `);
    const base = { kind: target.kind, id: target.id, name: target.name, previousImage: target.image, image };
    const duration = () => clock.now() - patchedAt.getTime();
    if (last.state === 'done') {
        log.info(`${label}: rolled out to ${image} in ${Math.round(duration() / 1000)} s.`);
        return {
            ...base,
            status: 'rolled-out',
            durationMs: duration(),
            diagnostics: [],
            ...(last.note ? { note: last.note } : {})
        };
    }
    if (options.signal?.aborted)
        return cancelledOutcome(wait, entry, base, duration);
    const reason = last.state === 'failed'
        ? last.describe
        : `still pending after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout): ${last.describe}`;
    log.info(`${label}: did not roll out: ${reason}`);
    const budgetMs = options.rollbackBudgetMs ?? ROLLBACK_BUDGET_MS;
    const budget = { deadline: clock.now() + budgetMs, ...(options.signal ? { signal: options.signal } : {}) };
    // The diagnostics read what already happened, so they run beside the rollback, not out of its budget.
    const diagnosed = last.state === 'failed' && last.diagnostics
        ? Promise.resolve([...last.diagnostics])
        : diagnose(wait, target, budget);
    if (!options.rollback)
        return { ...base, status: 'failed', durationMs: duration(), reason, diagnostics: await diagnosed };
    if (last.state === 'pending') {
        log.info(`${label}: wait-timeout is over; the rollback gets a budget of its own, ${Math.round(budgetMs / 1000)} s.`);
    }
    const [diagnostics, restored] = await Promise.all([diagnosed, rollBack(wait, entry, budget)]);
    return {
        ...base,
        status: restored === true ? 'rolled-back' : 'failed',
        durationMs: duration(),
        reason: restored === true ? reason : `${reason}; ${restored}`,
        diagnostics
    };
}
/** Polls until the target is done or failed, the deadline passes, or the run is cancelled; the last progress. */
async function poll(wait, entry, deadline, prefix) {
    const { options, clock, log } = wait;
    const initial = options.pollInitialMs ?? 1_000;
    const max = options.pollMaxMs ?? 15_000;
    const budget = { deadline, ...(options.signal ? { signal: options.signal } : {}) };
    let interval = initial;
    let delay = Math.max(0, entry.patchedAt.getTime() + initial - clock.now());
    let last = { state: 'pending', describe: NOT_READ };
    for (;;) {
        try {
            await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())), options.signal);
        }
        catch (error) {
            if (options.signal?.aborted)
                return last;
            throw error;
        }
        // The deadline bounds the requests too: with no time left, the last reading is the answer.
        if (options.signal?.aborted || (clock.now() >= deadline && last.describe !== NOT_READ))
            return last;
        const progress = await check(wait.client, entry, budget);
        if (progress.describe !== last.describe)
            log.info(`${prefix}${progress.describe}`);
        // A read that got no answer says nothing about the target: the last one that did stays the reason.
        if (!(progress.state === 'pending' && progress.unavailable && last.describe !== NOT_READ))
            last = progress;
        if (progress.state !== 'pending' || options.signal?.aborted || clock.now() >= deadline)
            return last;
        interval = Math.min(max, interval * 1.5);
        delay = interval;
    }
}
async function check(client, entry, budget) {
    try {
        if (entry.target.kind === 'pod')
            return judgePod(entry, await client.getPod(entry.target.id, budget));
        const [releases, workers] = await Promise.all([
            client.listEndpointReleases(entry.target.id, budget),
            client.listEndpointWorkers(entry.target.id, budget)
        ]);
        return judgeEndpoint(entry, releases, workers);
    }
    catch (error) {
        // Retries are exhausted here: an outage (or a request cut by the deadline or a cancel) is waited out, anything else is final.
        if (error instanceof errors/* RunpodApiError */.lp &&
            (error.status === undefined || error.status === 429 || error.status >= 500)) {
            return { state: 'pending', describe: `Runpod API unavailable (${error.summary})`, unavailable: true };
        }
        return { state: 'failed', describe: (0,src_errors/* errorMessage */.gJ)(error) };
    }
}
const POD_FAILED = new Set(['ERROR', 'EXITED', 'TERMINATED']);
/** Where a patched pod stands, from the pod as Runpod reports it now. */
function judgePod({ target, image, patchedAt }, pod) {
    const describe = pod.image === image ? pod.status : `${pod.status}, image still ${pod.image}`;
    // A pod that was stopped before the deploy stays stopped: waiting for RUNNING would only time out.
    if (target.status === 'EXITED' && pod.status === 'EXITED' && pod.image === image) {
        return { state: 'done', describe, note: 'The pod is stopped: it will run the new image when it is started.' };
    }
    // A changed startedAt also counts, so a clock skew between the runner and Runpod cannot stall the wait.
    const restarted = pod.startedAt !== null &&
        (Date.parse(pod.startedAt) > patchedAt.getTime() ||
            (target.startedAt != null && pod.startedAt !== target.startedAt));
    // A failure counts only once the pod has tried the new image: a status it already had before the patch
    // is stale until it changes or the container starts again.
    const attempted = pod.status !== target.status || restarted;
    if (POD_FAILED.has(pod.status) && attempted)
        return { state: 'failed', describe: `the pod is ${pod.status}` };
    if (pod.status === 'RUNNING' && pod.image === image && restarted)
        return { state: 'done', describe };
    return { state: 'pending', describe };
}
/** Where a patched endpoint stands, from its releases and workers as Runpod reports them now. */
function judgeEndpoint({ target, image }, { endpointVersion, rollout }, workers) {
    const version = endpointVersion === null ? 'the latest version' : `version ${endpointVersion}`;
    // Until the patch's release shows up, the old one looks fully rolled out.
    if (target.version != null && endpointVersion !== null && endpointVersion <= target.version) {
        return { state: 'pending', describe: `waiting for a release newer than version ${target.version}` };
    }
    if (rollout.workersTotal === 0) {
        return {
            state: 'done',
            describe: 'no workers running',
            note: 'The endpoint has no workers running: the next worker to start will run the new image.'
        };
    }
    const latest = workers.endpointVersion ?? endpointVersion;
    const onLatestVersion = workers.workers.filter((worker) => onLatest(worker, latest, image));
    const unhealthy = onLatestVersion.filter((worker) => worker.status === 'UNHEALTHY');
    if (unhealthy.length > 0) {
        return {
            state: 'failed',
            describe: `${unhealthy.length} worker(s) on ${version} are UNHEALTHY`,
            diagnostics: unhealthy.map(describeWorker)
        };
    }
    // A worker on the new version has not proven the image until it is ready for jobs.
    const ready = onLatestVersion.filter((worker) => worker.status === 'RUNNING' || worker.status === 'IDLE').length;
    const onImage = latest === null ? onLatestVersion.length : rollout.workersOnLatest;
    const describe = `${onImage}/${rollout.workersTotal} workers on ${latest === null ? image : version}, ${ready} ready`;
    if (!rollout.inProgress && onImage >= rollout.workersTotal && ready >= rollout.workersTotal)
        return { state: 'done', describe };
    return { state: 'pending', describe };
}
/**
 * Whether a worker runs the new release: by version where Runpod reports versions, else by the image it
 * runs, else by isStale (legacy endpoints report neither).
 */
function onLatest(worker, latest, image) {
    if (latest !== null && worker.version !== null)
        return worker.version === latest;
    if (worker.image !== null)
        return worker.image === image;
    return !worker.isStale;
}
function describeWorker(worker) {
    return `worker ${worker.id}: ${worker.status}, version ${worker.version ?? 'unknown'}${worker.isStale ? ' (stale)' : ''}, image ${worker.image ?? 'unknown'}`;
}
/** Best effort: a diagnostics failure must not hide the rollout failure itself. */
async function diagnose({ client, options }, target, budget) {
    try {
        if (target.kind === 'pod') {
            const lines = await client.podSystemLog(target.id, options.logLines ?? 25);
            return lines.length > 0 ? lines : ['(the pod system log is empty)'];
        }
        const { workers } = await client.listEndpointWorkers(target.id, budget);
        return workers.length > 0 ? workers.map(describeWorker) : ['(the endpoint has no workers)'];
    }
    catch (error) {
        return [`(could not read diagnostics: ${(0,src_errors/* errorMessage */.gJ)(error)})`];
    }
}
/**
 * Puts the previous image back and waits, within the budget, until the target runs it again: true only once
 * that is seen; otherwise why not.
 */
async function rollBack(wait, entry, budget) {
    const { client, clock, log } = wait;
    const { target } = entry;
    const label = labelOf(target);
    if (target.image === '')
        return 'there is no previous image to roll back to';
    let failedRelease;
    let patched;
    const rollbackAt = new Date(clock.now());
    try {
        // The release to get past: the one the failed patch created.
        if (target.kind === 'endpoint')
            failedRelease = (await client.listEndpointReleases(target.id, budget)).endpointVersion;
        patched = await patchTargetImage(client, target, target.image, registryToRestore(entry), budget);
    }
    catch (error) {
        return `the rollback to ${target.image} failed: ${(0,src_errors/* errorMessage */.gJ)(error)}`;
    }
    log.info(`${label}: rolling back to ${target.image}; waiting until it runs it again.`);
    const back = {
        target: { ...patched, image: entry.image, ...(failedRelease === undefined ? {} : { version: failedRelease }) },
        image: target.image,
        patchedAt: rollbackAt
    };
    const last = await poll(wait, back, budget.deadline ?? clock.now(), `${label} (rollback): `);
    if (last.state === 'done') {
        log.info(`${label}: rolled back to ${target.image}.`);
        return true;
    }
    if (wait.options.signal?.aborted)
        return `the rollback to ${target.image} was sent; the run was cancelled before it was seen`;
    return `the rollback to ${target.image} was sent but not seen within its budget (${last.describe})`;
}
/** Cancelled: roll back what was not seen rolled out (the PATCH, within seconds), or leave it updated. */
async function cancelledOutcome({ client, options, clock, log }, entry, base, duration) {
    const { target } = entry;
    if (!options.rollback || target.image === '') {
        return {
            ...base,
            status: 'updated',
            durationMs: duration(),
            reason: 'the run was cancelled before the rollout was seen; the target was left on the new image',
            diagnostics: [],
            cancelled: true
        };
    }
    try {
        await patchTargetImage(client, target, target.image, registryToRestore(entry), {
            deadline: clock.now() + CANCEL_BUDGET_MS
        });
        log.info(`${labelOf(target)}: the run was cancelled; sent the rollback to ${target.image}.`);
        return {
            ...base,
            status: 'rolled-back',
            durationMs: duration(),
            reason: `the run was cancelled before the rollout was seen; the rollback to ${target.image} was sent`,
            diagnostics: [],
            cancelled: true
        };
    }
    catch (error) {
        return {
            ...base,
            status: 'failed',
            durationMs: duration(),
            reason: `the run was cancelled before the rollout was seen, and the rollback to ${target.image} failed: ${(0,src_errors/* errorMessage */.gJ)(error)}`,
            diagnostics: [],
            cancelled: true
        };
    }
}
/** The registry to put back with the image: only when the patch changed it. */
function registryToRestore(entry) {
    return entry.registry === undefined ? undefined : (entry.target.registry ?? null);
}
function labelOf(target) {
    return `${target.kind} ${target.id}${target.name ? ` (${target.name})` : ''}`;
}
/** One error for the run when any target did not roll out, naming each and why; undefined when all did. */
function rolloutError(outcomes) {
    if (outcomes.some((outcome) => outcome.cancelled)) {
        const lines = outcomes.map((outcome) => `- ${outcome.kind} ${outcome.id}: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`);
        return new src_errors/* ActionError */.lZ(`The run was cancelled while waiting for the rollout. Where each target stands:\n${lines.join('\n')}\nRerun the workflow to deploy again; targets already on the image are left alone.`);
    }
    const failed = outcomes.filter((outcome) => outcome.status !== 'rolled-out');
    if (failed.length === 0)
        return undefined;
    const lines = failed.map((outcome) => `- ${outcome.kind} ${outcome.id}: ${outcome.reason ?? 'did not roll out'}${outcome.status === 'rolled-back' ? ` (rolled back to ${outcome.previousImage})` : ''}`);
    return new src_errors/* ActionError */.lZ(`${failed.length} of ${outcomes.length} target(s) did not roll out ${failed[0]?.image ?? ''}:\n${lines.join('\n')}\nSee the diagnostics above (pod system log, unhealthy workers); raise 'wait-timeout' if the targets only need longer to start.`);
}

;// CONCATENATED MODULE: ./src/deploy/write.ts











async function writeEverything(context, report) {
    // Runpod validates the repository policy when a delegation is created, so the policy goes first.
    await writePolicy(context, report);
    const delegation = await writeDelegation(context, report);
    const credentialId = await writeCredential(context, report);
    const { plan } = context;
    // The plan assumed the credential is refreshed in place; a new one changes what every target needs.
    const steps = report.credential?.how === 'rotated' && credentialId !== undefined
        ? planTargets(plan.targets.map((step) => step.target), plan.deployImage, { id: credentialId })
        : plan.targets;
    // The targets do not depend on which delegation serves the repository: they are patched meanwhile.
    const [patched] = await Promise.all([patchTargets(context, steps, credentialId, report), delegation.settled]);
    return { steps, ...patched };
}
/** How often the policy is merged again when another writer replaced it in between. */
const POLICY_WRITE_ATTEMPTS = 3;
/**
 * SetRepositoryPolicy has no version check (the last writer wins), so the merge is made into a copy read
 * right before the write, and the policy read back afterwards must still hold everything written; when
 * another writer came in between, it is merged again.
 */
async function writePolicy({ image, plan, principals, ecr, policyWriter, log }, report) {
    const repo = image.ecr;
    if (plan.policy.kind !== 'apply' || !ecr || !repo || !policyWriter)
        return;
    const writer = policyWriter();
    let sent = false;
    try {
        for (let attempt = 1; attempt <= POLICY_WRITE_ATTEMPTS; attempt++) {
            const merge = applyRunpodGrant(await readRepositoryPolicy(ecr, repo), principals, repo.repository);
            if (!merge.changed) {
                log.info(sent
                    ? `The earlier write of the policy of ${repo.repository} took effect although its answer was lost.`
                    : `The policy of ${repo.repository} already grants Runpod pull (written by another run): left as it is.`);
                report.policyChanged = sent;
                return;
            }
            let stored;
            try {
                sent = true;
                stored = await writeRepositoryPolicy(writer, repo, merge.policyText);
            }
            catch (error) {
                if (!isTransientAwsError(error) || attempt === POLICY_WRITE_ATTEMPTS)
                    throw error;
                log.info(`Writing the policy of ${repo.repository} failed (${(0,src_errors/* errorMessage */.gJ)(error)}); reading it again before any new write.`);
                continue;
            }
            // AWS rewrites what it stores, so the grant is confirmed by meaning, not by comparing text.
            if (!(0,grant/* analyzeGrant */.tn)(stored, principals).pullable) {
                throw new src_errors/* ActionError */.lZ(`The repository policy of ${repo.repository} was written, but the copy AWS stored does not grant Runpod pull. Check the policy in the ECR console (${repo.arn}) and report this as a bug.`);
            }
            const readBack = await readRepositoryPolicy(ecr, repo);
            if (readBack !== undefined && keepsWrittenPolicy(readBack, merge.policyText, principals)) {
                log.info(`Added the ${runpod_statement/* RUNPOD_STATEMENT_SID */.Mz} statement to the policy of ${repo.repository}.`);
                report.policyChanged = true;
                return;
            }
            log.info(`Another writer replaced the policy of ${repo.repository} while it was written: merging again.`);
        }
    }
    finally {
        writer.destroy();
    }
    throw new src_errors/* ActionError */.lZ(`The repository policy of ${repo.repository} kept changing while the action wrote it (${POLICY_WRITE_ATTEMPTS} attempts): another job or tool edits it at the same time. Let deploys of this repository run one at a time (a 'concurrency:' group), then rerun.`);
}
/** Creates the delegation when the plan says so; `settled` ends when concurrent creates are settled (see settleDelegation). */
async function writeDelegation({ image, plan, runpod, log }, report) {
    if (plan.delegation.kind === 'reuse')
        report.delegationId = plan.delegation.delegation.id;
    if (plan.delegation.kind !== 'create')
        return { settled: Promise.resolve() };
    const { repository } = plan.delegation;
    const reference = image.tag === undefined ? (image.digest === undefined ? '' : `@${image.digest}`) : `:${image.tag}`;
    const imageUri = `${image.registry}/${image.repository}${reference}`;
    const created = await postDelegation(runpod, repository, { imageUri, log });
    log.info(`Created Runpod ECR delegation ${created.id} for ${repository.arn}.`);
    report.delegationId = created.id;
    const settled = settleDelegation(runpod, repository, created, log).then((kept) => {
        report.delegationId = kept.id;
    });
    // Awaited after the PATCHes; a failure before then must not surface as an unhandled rejection.
    settled.catch(() => undefined);
    return { settled };
}
/** token mode: the id of the credential the targets should use from now on. */
async function writeCredential({ plan, runpod, login, registries, log }, report) {
    if (plan.credential.kind !== 'create' && plan.credential.kind !== 'refresh')
        return undefined;
    if (!login)
        throw new Error('registry-auth: token needs the ECR login read first');
    const existingIds = new Set(registries.map((registry) => registry.id));
    report.credential = await (0,runpod_registries/* syncCredential */.XM)(runpod, log, plan.credential, login, existingIds);
    return report.credential.id;
}
async function patchTargets({ plan, runpod, log }, steps, credentialId, report) {
    const toPatch = steps.filter((step) => step.change === 'patch');
    for (const step of steps) {
        if (step.change === 'unchanged')
            report.deployments.push((0,deploy_report/* stepRecord */.oU)(step, plan.deployImage, 'unchanged', credentialId, log));
    }
    if (toPatch.length === 0) {
        // No targets at all was a warning before the reads.
        if (steps.length > 0)
            log.info('Every target already runs this image: nothing to patch.');
        return { rollouts: [], patchFailures: [] };
    }
    const patched = await Promise.allSettled(toPatch.map(async (step) => {
        const patchedAt = new Date();
        const registry = step.credential === 'set' ? credentialId : undefined;
        await patchTargetImage(runpod, step.target, plan.deployImage, registry);
        const what = step.target.image === plan.deployImage
            ? `registry credential ${step.target.registry ?? '(none)'} → ${registry ?? ''}`
            : `${step.target.image} → ${plan.deployImage}`;
        log.info(`Patched ${step.target.kind} ${step.target.id}: ${what}${registry && step.target.image !== plan.deployImage ? ` (registry credential ${registry})` : ''}`);
        return { target: step.target, image: plan.deployImage, patchedAt, ...(registry ? { registry } : {}) };
    }));
    const rollouts = patched.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const patchFailures = patched.flatMap((result, index) => {
        const step = toPatch[index];
        if (result.status === 'fulfilled' || !step)
            return [];
        const reason = (0,src_errors/* errorMessage */.gJ)(result.reason);
        report.deployments.push({ ...(0,deploy_report/* record */.g1)(step.target, plan.deployImage, 'failed'), reason });
        return [`- ${step.target.kind} ${step.target.id}: the update was refused: ${reason}`];
    });
    return { rollouts, patchFailures };
}
/**
 * After every target is on the credential: delete the older credentials of the name that none of the
 * targets uses any more. Runs only after a successful rollout, so a rollback can still find its credential.
 */
async function cleanUpCredentials(plan, steps, runpod, log, report) {
    const credential = report.credential;
    if (plan.credential.kind !== 'refresh' || !credential)
        return;
    const inUse = new Set(steps.flatMap((step) => (step.credential === 'set' ? [] : step.target.registry ? [step.target.registry] : [])));
    const stale = (0,runpod_registries/* staleCredentials */.s5)(plan.credential.family, credential.id, inUse);
    if (stale.length > 0)
        credential.cleanup = await (0,runpod_registries/* removeCredentials */.tm)(runpod, log, stale);
}

;// CONCATENATED MODULE: ./src/deploy/run.ts
// Deploy and verify modes, in the SPEC's order of work: read everything (concurrently where independent),
// decide (any problem fails here, before a single write), write, wait, report.









async function runDeploy(inputs, { log, releaseTag, signal }) {
    const image = (0,image_reference/* parseImageReference */.o_)(inputs.image, releaseTag ? { releaseTag } : {});
    // Offline checks first: a contradiction in the inputs must not cost a request.
    const region = (0,image_reference/* checkRegion */.vK)(image, inputs.awsRegion);
    if (inputs.podIds.length === 0 && inputs.endpointIds.length === 0) {
        log.warning(`Neither 'pod-id' nor 'endpoint-id' is set, so no pod or endpoint will run the image: the run only ${inputs.mode === 'verify' ? 'checks' : 'prepares'} the repository policy and Runpod's access. Set 'pod-id' or 'endpoint-id' to deploy it.`);
    }
    const report = { mode: inputs.mode, image, deployments: [] };
    const runpod = new RunpodClient({ baseUrl: inputs.runpodApiUrl, apiKey: inputs.runpodApiKey, log });
    try {
        const { reads, ecr, policyWriter, login } = await readEverything(inputs, image, region, runpod, log);
        const plan = planDeploy({
            policy: inputs.policy,
            principals: inputs.runpodPrincipals,
            registryAuth: inputs.registryAuth,
            pinDigest: inputs.pinDigest,
            ...(inputs.registryCredentialName ? { registryCredentialName: inputs.registryCredentialName } : {}),
            now: new Date()
        }, reads);
        report.plan = plan;
        (0,deploy_report/* logPlan */.uH)(log, plan);
        if (inputs.mode === 'verify') {
            const credentialId = plan.credential.kind === 'refresh' ? plan.credential.current.id : undefined;
            report.deployments.push(...plan.targets.map((step) => (0,deploy_report/* stepRecord */.oU)(step, plan.deployImage, step.change === 'patch' ? 'planned' : 'unchanged', credentialId, log)));
            return { report };
        }
        // Before the first write a cancel changes nothing; once writing, the writes finish and the wait is cut short.
        if (signal?.aborted)
            throw new src_errors/* ActionError */.lZ('The workflow was cancelled before anything was changed.');
        const context = {
            image,
            plan,
            principals: inputs.runpodPrincipals,
            runpod,
            ecr,
            policyWriter,
            login,
            registries: reads.registries ?? [],
            log
        };
        const written = await inGroup(log, 'Write', () => writeEverything(context, report));
        await finishRollouts({ inputs, plan, runpod, log, report, ...(signal ? { signal } : {}) }, written);
        // Without the wait, targets may still be pulling with an older credential: keep them all.
        if (inputs.wait)
            await cleanUpCredentials(plan, written.steps, runpod, log, report);
        return { report };
    }
    catch (error) {
        report.failure = (0,src_errors/* errorMessage */.gJ)(error);
        return { report, error };
    }
    finally {
        await runpod.close().catch((error) => log.debug(`Closing the Runpod client: ${(0,src_errors/* errorMessage */.gJ)(error)}`));
    }
}
async function finishRollouts({ inputs, plan, runpod, log, report, signal }, { rollouts, patchFailures }) {
    if (!inputs.wait) {
        report.deployments.push(...rollouts.map((rollout) => (0,deploy_report/* record */.g1)(rollout.target, rollout.image, 'updated')));
    }
    else if (rollouts.length > 0) {
        const options = {
            timeoutMs: inputs.waitTimeoutSeconds * 1000,
            rollback: inputs.rollback,
            ...(signal ? { signal } : {})
        };
        const outcomes = await inGroup(log, 'Rollout', () => waitForRollouts(runpod, rollouts, options, log));
        for (const outcome of outcomes) {
            const { kind, id, name, previousImage, image, status, durationMs, reason, note, diagnostics } = outcome;
            report.deployments.push({
                kind,
                id,
                name,
                previousImage,
                image,
                status,
                durationMs,
                ...(reason ? { reason } : {}),
                ...(note ? { note } : {}),
                diagnostics
            });
            if (note)
                log.notice(`${kind} ${id}: ${note}`);
            if (diagnostics.length > 0)
                log.error(`${kind} ${id} did not roll out: ${reason ?? ''}\n${diagnostics.join('\n')}`, {
                    title: `${kind} ${id}`
                });
        }
        const rolloutFailure = rolloutError(outcomes);
        if (rolloutFailure)
            throw patchFailures.length > 0
                ? new src_errors/* ActionError */.lZ(`${rolloutFailure.message}\n${patchFailures.join('\n')}`)
                : rolloutFailure;
    }
    if (patchFailures.length > 0) {
        throw new src_errors/* ActionError */.lZ(`${patchFailures.length} target(s) could not be updated to ${plan.deployImage}:\n${patchFailures.join('\n')}`);
    }
}


/***/ })

};
