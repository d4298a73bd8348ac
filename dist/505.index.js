export const id = 505;
export const ids = [505];
export const modules = {

/***/ 5505:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   g1: () => (/* binding */ record),
/* harmony export */   gf: () => (/* binding */ deployOutputs),
/* harmony export */   k0: () => (/* binding */ logReads),
/* harmony export */   oU: () => (/* binding */ stepRecord),
/* harmony export */   uH: () => (/* binding */ logPlan)
/* harmony export */ });
/* harmony import */ var _runpod_registries_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4997);

function record(target, image, status, note) {
    return {
        kind: target.kind,
        id: target.id,
        name: target.name,
        previousImage: target.image,
        image,
        status,
        ...(note ? { note } : {})
    };
}
/** An unchanged (or, in verify mode, planned) target; a pod kept on another credential is warned about. */
function stepRecord(step, image, status, credentialId, log) {
    if (step.credential !== 'kept')
        return record(step.target, image, status);
    const note = keptNote(step.target, credentialId);
    log.warning(`${step.target.kind} ${step.target.id}: ${note}`);
    return record(step.target, image, status, note);
}
function keptNote(target, credentialId) {
    const now = target.registry ? `registry credential ${target.registry}` : 'no registry credential';
    const next = credentialId ? `credential ${credentialId}` : 'the new credential';
    return (`Already runs the image but uses ${now}: not patched to ${next}, because any change restarts a pod. ` +
        `It moves with its next image deploy; if it restarts before that, its image pull uses ${now}${target.registry ? ', which fails once that token has expired (12 h after it was last refreshed)' : ''}.`);
}
function logReads(log, reads, tokenReceived) {
    const { image, imageDigest, policy, delegations, registries, targets } = reads;
    log.startGroup('Read');
    log.info(`Image: ${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}${imageDigest ? ` (${imageDigest})` : ''}`);
    if (policy)
        log.info(`Repository policy: ${policy.text === undefined ? 'none yet' : `present (${policy.text.length} characters)`}`);
    if (delegations)
        log.info(`Runpod ECR delegations: ${delegations.length}`);
    if (registries)
        log.info(`Runpod registry credentials: ${registries.length}`);
    if (tokenReceived)
        log.info('ECR authorization token: received (masked)');
    for (const target of targets) {
        const registry = target.registry ? `, registry credential ${target.registry}` : '';
        log.info(`${target.kind} ${target.id} (${target.name}): ${target.image}${target.status ? `, ${target.status}` : ''}${registry}`);
    }
    log.endGroup();
}
function logPlan(log, plan) {
    log.startGroup('Plan');
    log.info(`Deploy ${plan.deployImage}`);
    const policy = plan.policy;
    log.info(`Repository policy: ${policy.kind === 'skipped' ? `skipped (${policy.reason})` : policy.kind === 'granted' ? 'already grants Runpod pull' : 'add the AllowRunpodPull statement'}`);
    const delegation = plan.delegation;
    log.info(`Delegation: ${delegation.kind === 'skipped' ? `skipped (${delegation.reason})` : delegation.kind === 'reuse' ? `reuse ${delegation.delegation.id}` : `create for ${delegation.repository.arn}`}`);
    if (plan.credential.kind !== 'skipped')
        log.info(`Registry credential: ${(0,_runpod_registries_js__WEBPACK_IMPORTED_MODULE_0__/* .describeCredentialStep */ .hB)(plan.credential)}`);
    for (const step of plan.targets)
        log.info(`${step.target.kind} ${step.target.id}: ${describeTargetStep(step, plan.deployImage)}`);
    log.endGroup();
    for (const warning of plan.warnings)
        log.warning(warning);
}
function describeTargetStep(step, deployImage) {
    const onImage = step.target.image === deployImage;
    if (step.credential === 'kept')
        return 'already on this image; not patched to the credential (a patch restarts a pod)';
    if (step.change === 'unchanged')
        return 'already on this image';
    const credential = step.credential === 'set' ? ' with the registry credential' : '';
    return onImage
        ? 'already on this image: set the registry credential (a new release)'
        : `${step.target.image} → ${deployImage}${credential}`;
}
/** The action's outputs (action.yml) from what the run did or, in verify mode, planned. */
function deployOutputs(report) {
    const plan = report.plan;
    const outputs = {};
    if (plan) {
        outputs['image'] = plan.deployImage;
        if (plan.digest)
            outputs['image-digest'] = plan.digest;
    }
    outputs['policy-changed'] = report.policyChanged ? 'true' : 'false';
    const delegationId = report.delegationId ?? (plan?.delegation.kind === 'reuse' ? plan.delegation.delegation.id : undefined);
    if (delegationId)
        outputs['delegation-id'] = delegationId;
    const registryId = report.credential?.id ??
        (report.mode === 'verify' && plan?.credential.kind === 'refresh' ? plan.credential.current.id : undefined);
    if (registryId)
        outputs['registry-id'] = registryId;
    outputs['deployments'] = JSON.stringify(report.deployments.map(({ kind, id, previousImage, image, status }) => ({ kind, id, previousImage, image, status })));
    return outputs;
}


/***/ }),

/***/ 477:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   U3: () => (/* binding */ responseError),
/* harmony export */   lp: () => (/* binding */ RunpodApiError),
/* harmony export */   x6: () => (/* binding */ networkError)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _wire_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8755);
// Turning a failed Runpod request into an error the workflow author can act on.


const TARGET_INPUT = { pod: 'pod-id', endpoint: 'endpoint-id' };
class RunpodApiError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ {
    status;
    summary;
    retryable;
    retryAfterMs;
    problem;
    constructor(message, details) {
        super(message);
        this.status = details.status;
        this.summary = details.summary;
        this.retryable = details.retryable;
        this.retryAfterMs = details.retryAfterMs;
        this.problem = details.problem;
    }
}
function responseError(response) {
    const { method, path, status, resource } = response;
    const problem = problemOf(response.body);
    const summary = problem
        ? `${status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`
        : `HTTP ${status}${response.body.trim() ? `: ${response.body.trim().slice(0, 200)}` : ''}`;
    const where = `${method} ${path}`;
    const details = { status, summary, ...(problem ? { problem } : {}) };
    const fail = (message, retryable = false, retryAfterMs) => new RunpodApiError(message, { ...details, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    switch (status) {
        case 401:
            return fail(`Runpod rejected the API key on ${where} (${summary}). Check the 'runpod-api-key' input: it must be a current Runpod API key (Runpod console → Settings → API Keys) passed from a secret.`);
        case 403:
            return fail(`Runpod refused ${where} (${summary}). Check the key in the 'runpod-api-key' input and its permissions: it needs read and write access to pods, serverless endpoints and registries.`);
        case 402:
            return fail(`Runpod refused ${where} (${summary}): the account balance is too low. Add funds in the Runpod console (Billing) and rerun.`);
        case 404:
            if (resource) {
                return fail(`Runpod has no ${resource.kind} '${resource.id}' (${summary}). Check the input '${TARGET_INPUT[resource.kind]}': the id must be a ${resource.kind} of the account the API key belongs to, as shown in the Runpod console.`);
            }
            return fail(`Runpod answered ${where} with ${summary}. Check that 'runpod-api-url' points at the Runpod REST API v2.`);
        case 422: {
            const errors = problem?.errors.length ? `:\n${problem.errors.map((error) => `  - ${error}`).join('\n')}` : '.';
            return fail(`Runpod rejected the request body of ${where} (${summary})${errors}`);
        }
        case 429:
            return fail(`Runpod's rate limit was hit on ${where} (${summary}).`, true, response.retryAfterMs);
        // A write that met a 5xx may still have taken effect: the write path reads the state before any repeat.
        case 500:
            return fail(`Runpod failed on ${where} (${summary}).`, true, response.retryAfterMs);
        case 502:
        case 503:
        case 504:
            return fail(`Runpod is unavailable on ${where} (${summary}).`, true, response.retryAfterMs);
        default:
            return fail(`Runpod API error on ${where}: ${summary}.`);
    }
}
function problemOf(body) {
    return (0,_wire_js__WEBPACK_IMPORTED_MODULE_1__/* .parseProblem */ .JT)((0,_wire_js__WEBPACK_IMPORTED_MODULE_1__/* .jsonOrUndefined */ ._D)(body));
}
const RETRYABLE_CODES = new Set([
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CONNECT_TIMEOUT'
]);
/** A request that got no usable response: resets and timeouts may succeed on retry, the rest will not. */
function networkError(method, path, baseUrl, error) {
    const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorCode */ .CA)(error);
    const timedOut = isTimeout(error);
    const reason = timedOut ? 'timed out' : `failed (${code ?? (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)})`;
    const retryable = timedOut || (code !== undefined && RETRYABLE_CODES.has(code));
    const advice = retryable ? '' : ` Check that 'runpod-api-url' (${baseUrl.origin}) is reachable from the runner.`;
    return new RunpodApiError(`Runpod request ${method} ${path} ${reason}.${advice}`, { summary: reason, retryable });
}
function isTimeout(error) {
    const name = typeof error === 'object' && error !== null ? error.name : undefined;
    const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorCode */ .CA)(error);
    return (name === 'TimeoutError' ||
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT');
}


/***/ }),

/***/ 4997:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   XM: () => (/* binding */ syncCredential),
/* harmony export */   Y9: () => (/* binding */ defaultCredentialName),
/* harmony export */   hB: () => (/* binding */ describeCredentialStep),
/* harmony export */   lZ: () => (/* binding */ planCredential),
/* harmony export */   s5: () => (/* binding */ staleCredentials),
/* harmony export */   tm: () => (/* binding */ removeCredentials)
/* harmony export */ });
/* unused harmony exports rotatedName, credentialFamily */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(477);


function defaultCredentialName(repo) {
    return `ecr-${repo.account}-${repo.region}`;
}
/**
 * The name of a credential created by rotation: `NAME-YYYYMMDDHHMMSS` (UTC). Runpod's schema does not say
 * that names may repeat, so a rotated credential never reuses the bare name, and the suffix orders by age.
 */
function rotatedName(name, now) {
    return `${name}-${now.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}
/** The credentials of a name: the bare name and its rotations, oldest first (the bare name is the oldest). */
function credentialFamily(registries, name) {
    const rotation = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{14})$`);
    const stamp = (registry) => registry.name === name ? '' : (rotation.exec(registry.name)?.[1] ?? undefined);
    return registries
        .filter((registry) => stamp(registry) !== undefined)
        .map((registry, index) => ({ registry, index, stamp: stamp(registry) ?? '' }))
        .sort((a, b) => a.stamp.localeCompare(b.stamp) || a.index - b.index)
        .map(({ registry }) => registry);
}
/**
 * Decides the credential step from the listed credentials. The current credential is the newest of the
 * name; where Runpod allowed two with that same name, the one more targets already use wins, so a
 * refresh in place leaves those targets alone.
 */
function planCredential(name, registries, targets, now) {
    const family = credentialFamily(registries, name);
    const newest = family.at(-1);
    if (!newest)
        return { kind: 'create', name };
    const candidates = family.filter((registry) => registry.name === newest.name);
    const users = (registry) => targets.filter((target) => target.registry === registry.id).length;
    const current = candidates.reduce((best, registry) => (users(registry) > users(best) ? registry : best));
    return { kind: 'refresh', name, current, family, rotationName: rotatedName(name, now) };
}
/** Credentials of the name, other than the one kept, that none of the given registries (targets' final state) use. */
function staleCredentials(family, keepId, inUse) {
    return family.filter((registry) => registry.id !== keepId && !inUse.has(registry.id));
}
/** The step in words, for the log's plan and the summary of verify mode. */
function describeCredentialStep(step) {
    switch (step.kind) {
        case 'skipped':
            return `skipped (${step.reason})`;
        case 'create':
            return `create '${step.name}' holding a fresh ECR token`;
        case 'refresh': {
            const older = step.family.length - 1;
            return (`refresh ${step.current.id} (${step.current.name}) in place with a fresh ECR token; if Runpod's GraphQL updateRegistryAuth is retired, create '${step.rotationName}' instead and move the targets to it` +
                (older > 0 ? `; ${older} older credential(s) of the name to delete once nothing uses them` : ''));
        }
    }
}
/**
 * Makes the credential of the step hold `login`. `existingIds` are the ids listed in the read phase: a
 * create whose response was lost is recognised by a new id with the requested name, never repeated blindly.
 */
async function syncCredential(client, log, step, login, existingIds) {
    if (step.kind === 'create') {
        const created = await create(client, step.name, login, existingIds);
        log.info(`Created Runpod registry credential ${created.id} (${created.name}) holding a fresh ECR token.`);
        return { id: created.id, name: created.name, how: 'created' };
    }
    const { current } = step;
    const update = await client.updateRegistryAuth(current.id, login.username, login.password);
    if (update.kind === 'updated') {
        log.info(`Refreshed Runpod registry credential ${current.id} (${current.name}) in place with a fresh ECR token.`);
        return { id: current.id, name: current.name, how: 'refreshed' };
    }
    log.info(`Runpod's GraphQL updateRegistryAuth is retired (${update.reason}): creating registry credential ${step.rotationName} to replace ${current.id} (${current.name}).`);
    const created = await create(client, step.rotationName, login, existingIds);
    log.info(`Created Runpod registry credential ${created.id} (${created.name}).`);
    return { id: created.id, name: created.name, how: 'rotated', retiredReason: update.reason };
}
/**
 * Never twice: after a failure that may have taken effect, a credential with this name whose id is not in
 * `existingIds` (the credentials read before) is the one the lost request created.
 */
async function create(client, name, login, existingIds) {
    try {
        return await client.createRegistry({ name, username: login.username, password: login.password }, async () => (await client.listRegistries()).find((registry) => registry.name === name && !existingIds.has(registry.id)));
    }
    catch (error) {
        if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .RunpodApiError */ .lp && (error.status === 400 || error.status === 422)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Runpod refused to create the registry credential '${name}' (${error.summary}). Check input 'registry-credential-name' (a name Runpod accepts, not used by another credential), or delete the conflicting credential in the Runpod console (Settings → Container Registry Auth), then rerun.`);
        }
        throw error;
    }
}
/**
 * Deletes credentials that nothing should use any more. Runpod refuses (400) while a pod uses one: it is
 * kept and said so; any other failure is kept with its reason too, since the deploy itself succeeded.
 */
async function removeCredentials(client, log, stale) {
    const outcomes = await Promise.all(stale.map((registry) => removeCredential(client, log, registry)));
    return {
        deleted: outcomes.flatMap((outcome) => (outcome.reason === undefined ? [outcome.registry] : [])),
        kept: outcomes.flatMap(({ registry, reason }) => (reason === undefined ? [] : [{ registry, reason }]))
    };
}
/** `reason` is set when the credential was kept. */
async function removeCredential(client, log, registry) {
    try {
        await client.deleteRegistry(registry.id);
        log.info(`Deleted the older registry credential ${registry.id} (${registry.name}).`);
        return { registry };
    }
    catch (error) {
        if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .RunpodApiError */ .lp && error.status === 404) {
            log.info(`The older registry credential ${registry.id} (${registry.name}) is already gone.`);
            return { registry };
        }
        const inUse = error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .RunpodApiError */ .lp && error.status === 400;
        const reason = inUse
            ? `still in use (${error.problem?.detail || error.summary})`
            : `could not be deleted (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(error)})`;
        log.info(`Kept the older registry credential ${registry.id} (${registry.name}): ${reason}. A later run deletes it once nothing uses it.`);
        return { registry, reason };
    }
}


/***/ }),

/***/ 8755:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $_: () => (/* binding */ parseCreatedRegistry),
/* harmony export */   Bk: () => (/* binding */ parseEndpoint),
/* harmony export */   Hl: () => (/* binding */ parseDelegationPage),
/* harmony export */   JT: () => (/* binding */ parseProblem),
/* harmony export */   Oc: () => (/* binding */ parseGraphqlResult),
/* harmony export */   _D: () => (/* binding */ jsonOrUndefined),
/* harmony export */   ed: () => (/* binding */ parseCreatedDelegation),
/* harmony export */   fe: () => (/* binding */ parsePod),
/* harmony export */   nU: () => (/* binding */ parseLogEvents),
/* harmony export */   pL: () => (/* binding */ parseEndpointReleases),
/* harmony export */   u0: () => (/* binding */ parseEndpointWorkers),
/* harmony export */   uI: () => (/* binding */ parseRegistryPage)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
// The fields of Runpod's REST v2 responses that this action uses, and defensive parsers for them.
// Only what the action relies on is required: anything else may be missing, anything the API adds is
// ignored, and a status value Runpod adds later is kept as it is rather than failing the run.

/** Reads fields of one JSON object; `where` names the request so a bad shape points at the endpoint. */
class Fields {
    value;
    where;
    path;
    constructor(value, where, path) {
        this.value = value;
        this.where = where;
        this.path = path;
    }
    static of(value, where, path = 'response') {
        if (!isObject(value))
            throw unexpected(where, `${path} is not a JSON object`);
        return new Fields(value, where, path);
    }
    string(name) {
        return this.typed(name, 'string');
    }
    optionalString(name) {
        return this.nullable(name, 'string');
    }
    number(name) {
        return this.typed(name, 'number');
    }
    optionalNumber(name) {
        return this.nullable(name, 'number');
    }
    boolean(name) {
        return this.typed(name, 'boolean');
    }
    object(name) {
        return Fields.of(this.value[name], this.where, `${this.path}.${name}`);
    }
    array(name) {
        const value = this.value[name];
        if (!Array.isArray(value))
            throw unexpected(this.where, `${this.path}.${name} is not an array`);
        return value.map((item, index) => Fields.of(item, this.where, `${this.path}.${name}[${index}]`));
    }
    has(name) {
        return this.value[name] !== undefined && this.value[name] !== null;
    }
    typed(name, type) {
        const value = this.value[name];
        if (typeof value !== type)
            throw unexpected(this.where, `${this.path}.${name} is not a ${type}`);
        return value;
    }
    nullable(name, type) {
        const value = this.value[name];
        return value === undefined || value === null ? null : this.typed(name, type);
    }
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function unexpected(where, what) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`Runpod answered ${where} with a response this action does not understand (${what}). Check that 'runpod-api-url' points at the Runpod REST API v2, and retry; report it if it persists.`);
}
function parseDelegation(item) {
    return {
        id: item.string('id'),
        name: item.optionalString('name'),
        createdAt: item.optionalString('createdAt'),
        awsUser: item.string('awsUser'),
        awsRegion: item.string('awsRegion'),
        repository: item.string('repository')
    };
}
/** `{"delegations":[…]}` or, on some deployments, `{"data":{"delegations":[…]}}`, with optional `pagination`. */
function parseDelegationPage(body, where) {
    return page(body, where, 'delegations', parseDelegation);
}
/** A created delegation: bare, or under `data.delegation`. */
function parseCreatedDelegation(body, where) {
    return parseDelegation(created(body, where, 'delegation'));
}
function parseRegistry(item) {
    return { id: item.string('id'), name: item.string('name') };
}
/** `{"registries":[…]}`, or under `data` like the delegations on some deployments, with optional `pagination`. */
function parseRegistryPage(body, where) {
    return page(body, where, 'registries', parseRegistry);
}
/** A created registry credential: bare, or under `data.registry`. */
function parseCreatedRegistry(body, where) {
    return parseRegistry(created(body, where, 'registry'));
}
/**
 * The list `key` of a response, at the top or under `data`, and where the next page starts:
 * `pagination: {nextCursor, hasNextPage}` beside the list (a response without it is the whole list).
 */
function page(body, where, key, parseItem) {
    const root = Fields.of(body, where);
    const holder = root.has(key) ? root : root.object('data');
    const items = holder.array(key).map(parseItem);
    const pagination = holder.has('pagination')
        ? holder.object('pagination')
        : root.has('pagination')
            ? root.object('pagination')
            : undefined;
    if (!pagination?.has('hasNextPage') || !pagination.boolean('hasNextPage'))
        return { items };
    return { items, nextCursor: pagination.string('nextCursor') };
}
/** A created resource: the body itself, or `data.<key>`. */
function created(body, where, key) {
    const root = Fields.of(body, where);
    return root.has('id') ? root : root.object('data').object(key);
}
/**
 * The answer to a GraphQL mutation: `data.<field>` when it worked, else the `errors[].message` texts.
 * GraphQL reports most failures in the body, with status 200 or (GraphQL over HTTP) 400.
 */
function parseGraphqlResult(body, field, where) {
    const root = Fields.of(body, where);
    const raw = body['errors'];
    const errors = Array.isArray(raw)
        ? raw.map((error) => isObject(error) && typeof error['message'] === 'string' ? error['message'] : JSON.stringify(error))
        : [];
    const data = root.has('data') && isObject(body['data']) ? body['data'][field] : undefined;
    return { ...(data === undefined || data === null ? {} : { data }), errors };
}
function parsePod(body, where) {
    const pod = Fields.of(body, where);
    return {
        id: pod.string('id'),
        name: pod.string('name'),
        image: pod.string('image'),
        registry: pod.optionalString('registry'),
        status: pod.string('status'),
        startedAt: pod.optionalString('startedAt'),
        inCluster: pod.has('cluster')
    };
}
function parseEndpoint(body, where) {
    const endpoint = Fields.of(body, where);
    return {
        id: endpoint.string('id'),
        name: endpoint.string('name'),
        image: endpoint.optionalString('image'),
        registry: endpoint.optionalString('registry'),
        workersMax: endpoint.has('workers') ? endpoint.object('workers').optionalNumber('max') : null
    };
}
function parseEndpointReleases(body, where) {
    const root = Fields.of(body, where);
    const rollout = root.object('rollout');
    return {
        endpointVersion: root.optionalNumber('endpointVersion'),
        rollout: {
            inProgress: rollout.boolean('inProgress'),
            workersOnLatest: rollout.number('workersOnLatest'),
            workersTotal: rollout.number('workersTotal')
        }
    };
}
function parseEndpointWorkers(body, where) {
    const root = Fields.of(body, where);
    return {
        endpointVersion: root.optionalNumber('endpointVersion'),
        workers: root.array('workers').map((worker) => ({
            id: worker.string('id'),
            status: worker.string('status'),
            isStale: worker.boolean('isStale'),
            version: worker.optionalNumber('version'),
            image: worker.optionalString('image')
        }))
    };
}
/** Problem JSON when the body is one; undefined for anything else (an HTML error page from a proxy, say). */
function parseProblem(body) {
    if (!isObject(body))
        return undefined;
    const { title, status, detail, errors } = body;
    if (typeof title !== 'string' && typeof detail !== 'string')
        return undefined;
    return {
        title: typeof title === 'string' ? title : '',
        status: typeof status === 'number' ? status : 0,
        detail: typeof detail === 'string' ? detail : '',
        errors: Array.isArray(errors) ? errors.filter((error) => typeof error === 'string') : []
    };
}
/**
 * Log lines from a server-sent event stream. Each event's `data:` lines are joined; a JSON payload
 * `{ts, source, line}` yields its `line`, anything else is kept as text.
 */
function parseLogEvents(text) {
    const lines = [];
    for (const event of text.split(/\r?\n\r?\n/)) {
        const data = event
            .split(/\r?\n/)
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''));
        if (data.length === 0)
            continue;
        const payload = data.join('\n');
        lines.push(logText(payload));
    }
    return lines;
}
// Not JSON, or JSON without a line: the payload is the line itself.
function logText(payload) {
    const parsed = jsonOrUndefined(payload);
    return isObject(parsed) && typeof parsed['line'] === 'string' ? parsed['line'] : payload;
}
/** The JSON value of a text, or undefined when it is not JSON (an HTML error page from a proxy, a cut body). */
function jsonOrUndefined(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}


/***/ })

};
