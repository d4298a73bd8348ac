export const id = 857;
export const ids = [857];
export const modules = {

/***/ 7882:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Q7: () => (/* binding */ all),
/* harmony export */   Ry: () => (/* binding */ pullContext),
/* harmony export */   go: () => (/* binding */ conditionsHold),
/* harmony export */   xB: () => (/* binding */ entryHolds)
/* harmony export */ });
/* harmony import */ var _aws_arn_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1626);
/* harmony import */ var _operators_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9191);
// Whether a statement's conditions hold for Runpod's pull, as IAM evaluates them, from what is known of
// that request offline (SPEC, "How Runpod's pull is judged"). Runpod pulls with an assumed-role session of
// its deployment role, from its own account, outside the customer's organization and network.


const ABSENT_KEYS = new Set(['aws:sourcevpce', 'aws:sourcevpc', 'aws:vpcsourceip']);
const FOREIGN_KEYS = new Set(['aws:principalorgid', 'aws:principalorgpaths']);
/** The request context of a pull by a session of `principal` (a role ARN), key by key. */
function pullContext(key, principal) {
    const name = key.toLowerCase();
    if (name === 'aws:principalarn')
        return { kind: 'known', values: [principal] };
    if (name === 'aws:principalaccount') {
        const account = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_1__/* .iamAccountOf */ .q_)(principal);
        return account === undefined ? { kind: 'unknown' } : { kind: 'known', values: [account] };
    }
    if (name === 'aws:principaltype')
        return { kind: 'known', values: ['AssumedRole'] };
    if (ABSENT_KEYS.has(name))
        return { kind: 'absent' };
    if (FOREIGN_KEYS.has(name))
        return { kind: 'foreign' };
    return { kind: 'unknown' };
}
/** Every entry must hold (operators and keys are ANDed); the values of one entry are ORed. */
function conditionsHold(entries, principal) {
    return all(entries.map((entry) => entryHolds(entry, pullContext(entry.key, principal))));
}
/** Three-valued AND: `no` wins, then `unknown`. */
function all(truths) {
    if (truths.includes('no'))
        return 'no';
    return truths.includes('unknown') ? 'unknown' : 'yes';
}
/** One operator on one key, for the request value(s) `context`. */
function entryHolds(entry, context) {
    switch (context.kind) {
        case 'unknown':
            return 'unknown';
        case 'absent':
            return whenAbsent(entry);
        case 'known':
            return whenPresent(entry, context.values);
        case 'foreign': {
            // Either absent or present with a value the policy does not name: decided only when both agree.
            const absent = whenAbsent(entry);
            const present = whenForeign(entry);
            return absent === present ? absent : 'unknown';
        }
    }
}
/** IAM on a key the request lacks: `Null` tests presence, `…IfExists` and negated operators hold. */
function whenAbsent(entry) {
    if (entry.base === 'Null')
        return nullHolds(entry, false);
    if (entry.ifExists)
        return 'yes';
    // A set operator over no values: "all" holds vacuously, "any" does not.
    if (entry.qualifier === 'ForAllValues')
        return 'yes';
    if (entry.qualifier === 'ForAnyValue')
        return 'no';
    return entry.negated ? 'yes' : 'no';
}
function whenPresent(entry, values) {
    if (entry.base === 'Null')
        return nullHolds(entry, true);
    const match = (0,_operators_js__WEBPACK_IMPORTED_MODULE_0__/* .valueMatcher */ .C6)(entry.base);
    if (!match)
        return 'unknown';
    // The request values here are single-valued, where ForAnyValue and ForAllValues reduce to the plain operator.
    const matched = values.some((value) => entry.values.some((pattern) => match(pattern.value, value)));
    // What an ARN operator does with a value that is not an ARN (in the request or the policy) is not
    // documented: unless an ARN matched, that is not decided here.
    const notArn = (text) => (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_1__/* .arnParts */ .wo)(text) === undefined;
    if (!matched && entry.base.startsWith('Arn') && (values.some(notArn) || entry.values.some((v) => notArn(v.value)))) {
        return 'unknown';
    }
    return matched !== entry.negated ? 'yes' : 'no';
}
/** A present value that equals nothing the policy names: decided only for operators that compare literally. */
function whenForeign(entry) {
    if (entry.base === 'Null')
        return nullHolds(entry, true);
    const literal = (0,_operators_js__WEBPACK_IMPORTED_MODULE_0__/* .isLiteralOperator */ .mO)(entry.base) ||
        (/^String(Not)?Like$/.test(entry.base) && entry.values.every((v) => !/[*?]/.test(v.value)));
    if (!literal)
        return 'unknown';
    return entry.negated ? 'yes' : 'no';
}
/** `Null: true` holds when the key is absent, `Null: false` when present; several values are ORed. */
function nullHolds(entry, present) {
    const wanted = entry.values.map((value) => value.value.toLowerCase());
    if (wanted.length === 0 || wanted.some((value) => value !== 'true' && value !== 'false'))
        return 'unknown';
    return wanted.includes(present ? 'false' : 'true') ? 'yes' : 'no';
}


/***/ }),

/***/ 1561:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   O: () => (/* binding */ parsePolicy)
/* harmony export */ });
/* unused harmony export positionFinder */
/* harmony import */ var jsonc_parser__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9547);
/* harmony import */ var jsonc_parser__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(jsonc_parser__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _aws_arn_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1626);
/* harmony import */ var _operators_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9191);



const TOP_LEVEL_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set([
    'Sid',
    'Effect',
    'Principal',
    'NotPrincipal',
    'Action',
    'NotAction',
    'Resource',
    'NotResource',
    'Condition'
]);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
/** Parses a repository policy text. Never throws: what is wrong with the text comes back as `problems`. */
function parsePolicy(text) {
    const at = positionFinder(text);
    const problems = [];
    const problem = (offset, message) => problems.push({ ...at(offset), message });
    const errors = [];
    const root = (0,jsonc_parser__WEBPACK_IMPORTED_MODULE_0__.parseTree)(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    if (errors.length > 0 || root === undefined) {
        const first = errors[0];
        problem(first?.offset ?? 0, `The policy is not valid JSON (${first ? (0,jsonc_parser__WEBPACK_IMPORTED_MODULE_0__.printParseErrorCode)(first.error) : 'empty text'}).`);
        return { json: undefined, version: undefined, statementElement: undefined, statements: [], problems };
    }
    const json = (0,jsonc_parser__WEBPACK_IMPORTED_MODULE_0__.getNodeValue)(root);
    if (root.type !== 'object') {
        problem(root.offset, 'The policy must be a JSON object with "Version" and "Statement".');
        return { json, version: undefined, statementElement: undefined, statements: [], problems };
    }
    const top = properties(root, 'policy', TOP_LEVEL_ELEMENTS, problem);
    let version;
    const versionNode = top.get('Version');
    if (versionNode) {
        const value = valueOf(versionNode);
        if (value?.type === 'string' && VERSIONS.has(value.value)) {
            version = { ...at(value.offset), value: value.value };
        }
        else {
            problem(versionNode.offset, `"Version" must be "2012-10-17" (or the legacy "2008-10-17"), not ${jsonText(value)}.`);
        }
    }
    const statementNode = top.get('Statement');
    if (!statementNode) {
        problem(root.offset, 'The policy has no "Statement" element: add "Statement": [ ... ] with at least the Runpod pull statement.');
        return { json, version, statementElement: undefined, statements: [], problems };
    }
    const statementValue = valueOf(statementNode);
    const statementNodes = statementValue?.type === 'array'
        ? (statementValue.children ?? [])
        : statementValue?.type === 'object'
            ? [statementValue]
            : [];
    if (statementValue?.type !== 'array' && statementValue?.type !== 'object') {
        problem(statementNode.offset, '"Statement" must be an object or an array of objects.');
    }
    const statements = [];
    statementNodes.forEach((node, index) => {
        if (node.type !== 'object') {
            problem(node.offset, `Statement ${index + 1} must be a JSON object.`);
            return;
        }
        statements.push(parseStatement(node, index, { at, problem }));
    });
    return { json, version, statementElement: at(statementNode.offset), statements, problems };
}
function parseStatement(node, index, context) {
    const { at, problem } = context;
    const fallbackLabel = `statement ${index + 1}`;
    const sidNode = valueOf(node.children?.find((child) => keyOf(child) === 'Sid'));
    const title = sidNode?.type === 'string' ? `statement "${String(sidNode.value)}"` : fallbackLabel;
    const elements = properties(node, title, STATEMENT_ELEMENTS, problem);
    const where = (name) => `${name} of ${title}`;
    let sid;
    const sidProperty = elements.get('Sid');
    if (sidProperty) {
        const value = valueOf(sidProperty);
        if (value?.type === 'string')
            sid = { ...at(sidProperty.offset), value: value.value };
        else
            problem(sidProperty.offset, `"Sid" of ${fallbackLabel} must be a string.`);
    }
    let effect;
    const effectProperty = elements.get('Effect');
    const effectValue = valueOf(effectProperty);
    if (effectValue?.type === 'string' && (effectValue.value === 'Allow' || effectValue.value === 'Deny')) {
        effect = { ...at(effectProperty?.offset ?? node.offset), value: effectValue.value };
    }
    else if (effectProperty) {
        problem(effectProperty.offset, `${where('"Effect"')} must be "Allow" or "Deny", not ${jsonText(effectValue)}.`);
    }
    else {
        problem(node.offset, `${where('"Effect"')} is missing: add "Effect": "Allow" or "Deny".`);
    }
    const principal = principalElement(elements.get('Principal'), where('"Principal"'), context);
    const notPrincipal = principalElement(elements.get('NotPrincipal'), where('"NotPrincipal"'), context);
    if (!principal && !notPrincipal) {
        problem(node.offset, `${where('"Principal"')} is missing: a repository policy statement must say who it applies to.`);
    }
    else if (principal && notPrincipal) {
        problem(node.offset, `${title} has both "Principal" and "NotPrincipal": keep one.`);
    }
    const action = stringList(elements.get('Action'), where('"Action"'), context);
    const notAction = stringList(elements.get('NotAction'), where('"NotAction"'), context);
    if (!action && !notAction) {
        problem(node.offset, `${where('"Action"')} is missing: list the ECR actions the statement allows or denies.`);
    }
    else if (action && notAction) {
        problem(node.offset, `${title} has both "Action" and "NotAction": keep one.`);
    }
    stringList(elements.get('Resource'), where('"Resource"'), context);
    stringList(elements.get('NotResource'), where('"NotResource"'), context);
    return {
        ...at(node.offset),
        index,
        label: sid ? sid.value : fallbackLabel,
        sid,
        effect,
        principal,
        notPrincipal,
        action,
        notAction,
        conditions: conditionEntries(elements.get('Condition'), where('"Condition"'), context)
    };
}
function principalElement(property, name, context) {
    const { at, problem } = context;
    if (!property)
        return undefined;
    const value = valueOf(property);
    if (value?.type === 'string') {
        if (value.value !== '*') {
            problem(value.offset, `${name} must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:role/NAME"}.`);
            return { ...at(property.offset), values: [] };
        }
        return { ...at(property.offset), values: [{ ...at(value.offset), type: 'AWS', value: '*' }] };
    }
    if (value?.type !== 'object') {
        problem(property.offset, `${name} must be "*" or an object such as {"AWS": [...]}.`);
        return { ...at(property.offset), values: [] };
    }
    const values = [];
    for (const entry of value.children ?? []) {
        const type = keyOf(entry) ?? '';
        if (!PRINCIPAL_TYPES.has(type)) {
            problem(entry.offset, `${name} has an unknown principal type "${type}": use AWS, Service, Federated or CanonicalUser.`);
            continue;
        }
        for (const item of stringList(entry, `${name} ${type}`, context)?.values ?? []) {
            const normalised = type === 'AWS' && (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_2__/* .isAccountId */ .JG)(item.value) ? (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_2__/* .accountRootArn */ .hd)(item.value) : item.value;
            values.push({ ...item, type, value: normalised });
        }
    }
    return { ...at(property.offset), values };
}
function stringList(property, name, context) {
    const { at, problem } = context;
    if (!property)
        return undefined;
    const value = valueOf(property);
    const items = value?.type === 'array' ? (value.children ?? []) : value ? [value] : [];
    const values = [];
    for (const item of items) {
        if (item.type === 'string')
            values.push({ ...at(item.offset), value: item.value });
        else
            problem(item.offset, `${name} must hold strings only, not ${jsonText(item)}.`);
    }
    if (value?.type === 'array' && items.length === 0)
        problem(property.offset, `${name} must not be empty.`);
    return { ...at(property.offset), values };
}
function conditionEntries(property, name, context) {
    const { at, problem } = context;
    if (!property)
        return [];
    const block = valueOf(property);
    if (block?.type !== 'object') {
        problem(property.offset, `${name} must be an object of operators, e.g. {"StringEquals": {"aws:PrincipalArn": "..."}}.`);
        return [];
    }
    const entries = [];
    for (const operatorProperty of block.children ?? []) {
        const operator = keyOf(operatorProperty) ?? '';
        const parsed = (0,_operators_js__WEBPACK_IMPORTED_MODULE_1__/* .parseOperator */ .A$)(operator);
        if (!parsed) {
            problem(operatorProperty.offset, `${name} uses the unknown condition operator "${operator}" (for example StringEquals, StringLike, ArnLike).`);
            continue;
        }
        const keys = valueOf(operatorProperty);
        if (keys?.type !== 'object') {
            problem(operatorProperty.offset, `${name}: "${operator}" must map condition keys to values.`);
            continue;
        }
        for (const keyProperty of keys.children ?? []) {
            const valueNode = valueOf(keyProperty);
            const items = valueNode?.type === 'array' ? (valueNode.children ?? []) : valueNode ? [valueNode] : [];
            const values = [];
            for (const item of items) {
                if (item.type === 'string' || item.type === 'number' || item.type === 'boolean') {
                    values.push({ ...at(item.offset), value: String(item.value) });
                }
                else {
                    problem(item.offset, `${name}: values of "${operator}" must be strings, numbers or booleans.`);
                }
            }
            entries.push({
                ...at(operatorProperty.offset),
                operator,
                ...parsed,
                key: keyOf(keyProperty) ?? '',
                keyPosition: at(keyProperty.offset),
                values
            });
        }
    }
    return entries;
}
/** Object properties by name; reports unknown and repeated names (AWS rejects both). */
function properties(object, name, known, problem) {
    const found = new Map();
    for (const property of object.children ?? []) {
        const key = keyOf(property) ?? '';
        if (!known.has(key)) {
            problem(property.offset, `The ${name} has the unknown element "${key}" (allowed: ${[...known].join(', ')}; names are case-sensitive).`);
        }
        else if (found.has(key)) {
            problem(property.offset, `The ${name} has "${key}" twice: keep one.`);
        }
        else {
            found.set(key, property);
        }
    }
    return found;
}
function keyOf(property) {
    const key = property?.children?.[0];
    return key?.type === 'string' ? key.value : undefined;
}
function valueOf(property) {
    return property?.children?.[1];
}
function jsonText(node) {
    return node === undefined ? 'nothing' : JSON.stringify((0,jsonc_parser__WEBPACK_IMPORTED_MODULE_0__.getNodeValue)(node));
}
/** Maps a character offset to a 1-based line and column. */
function positionFinder(text) {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 10)
            lineStarts.push(i + 1);
        else if (ch === 13 && text.charCodeAt(i + 1) !== 10)
            lineStarts.push(i + 1);
    }
    return (offset) => {
        let low = 0;
        let high = lineStarts.length - 1;
        while (low < high) {
            const mid = (low + high + 1) >> 1;
            if ((lineStarts[mid] ?? 0) <= offset)
                low = mid;
            else
                high = mid - 1;
        }
        return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
    };
}


/***/ }),

/***/ 8355:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Gl: () => (/* binding */ appliesTo),
/* harmony export */   IG: () => (/* binding */ analyzeDocument),
/* harmony export */   Ih: () => (/* binding */ pullVerdicts),
/* harmony export */   NR: () => (/* binding */ supersededReferences),
/* harmony export */   cx: () => (/* binding */ deniedPullActions),
/* harmony export */   t7: () => (/* binding */ allowedPullActions),
/* harmony export */   tn: () => (/* binding */ analyzeGrant)
/* harmony export */ });
/* unused harmony exports judgePull, statementApplies, actionCovered */
/* harmony import */ var _aws_arn_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1626);
/* harmony import */ var _conditions_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7882);
/* harmony import */ var _document_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1561);
/* harmony import */ var _operators_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9191);
/* harmony import */ var _runpod_statement_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6696);
// The verdict on a repository policy: can each required principal pull? Judged as IAM evaluates a request
// (an explicit Deny that applies wins, then an Allow that applies grants), for Runpod's pull as
// conditions.ts describes it, with three outcomes where IAM has two: what cannot be known offline is said.





/** Evaluates by meaning whether the policy lets every principal pull (see GrantAnalysis). */
function analyzeGrant(policyText, principals) {
    return analyzeDocument((0,_document_js__WEBPACK_IMPORTED_MODULE_1__/* .parsePolicy */ .O)(policyText), principals);
}
function analyzeDocument(doc, principals) {
    const valid = doc.problems.length === 0;
    const verdicts = pullVerdicts(doc, principals);
    const every = verdicts.flatMap((entry) => entry.actions.map(({ verdict }) => verdict));
    const missing = verdicts.flatMap(({ principal, actions }) => {
        const lacking = actions.filter(({ verdict }) => verdict.kind === 'denied' || verdict.kind === 'not-granted');
        return lacking.length > 0 ? [{ principal, actions: lacking.map(({ action }) => action) }] : [];
    });
    const labels = (statements) => [
        ...new Set(statements.map((statement) => statement.label))
    ];
    return {
        valid,
        granted: valid && every.every((verdict) => verdict.kind === 'granted'),
        pullable: valid && missing.length === 0,
        missing,
        deniedBy: labels(every.flatMap((verdict) => (verdict.kind === 'denied' ? [verdict.by] : []))),
        uncertainBy: labels(every.flatMap((verdict) => (verdict.kind === 'uncertain' ? verdict.by : []))),
        supersededAccount: doc.statements.some((statement) => supersededReferences(statement).length > 0)
    };
}
/** The verdict for every principal and pull action. */
function pullVerdicts(doc, principals) {
    return principals.map((principal) => ({
        principal,
        actions: _runpod_statement_js__WEBPACK_IMPORTED_MODULE_3__/* .PULL_ACTIONS */ .QC.map((action) => ({ action, verdict: judgePull(doc, principal, action) }))
    }));
}
/** IAM's decision for a session of `principal` asking for `action` on the repository. */
function judgePull(doc, principal, action) {
    const denies = doc.statements.filter((statement) => statement.effect?.value === 'Deny');
    const deciding = denies.find((statement) => statementApplies(statement, principal, action) === 'yes');
    if (deciding)
        return { kind: 'denied', by: deciding };
    const allows = doc.statements.filter(isCountedAllow);
    const applying = allows.map((statement) => ({ statement, applies: statementApplies(statement, principal, action) }));
    if (!applying.some(({ applies }) => applies === 'yes')) {
        return {
            kind: 'not-granted',
            undecided: applying.filter(({ applies }) => applies === 'unknown').map(({ statement }) => statement)
        };
    }
    const uncertain = denies.filter((statement) => statementApplies(statement, principal, action) === 'unknown');
    return uncertain.length > 0 ? { kind: 'uncertain', by: uncertain } : { kind: 'granted' };
}
// NotPrincipal/NotAction in an Allow are RPD006: never counted as the grant we need.
function isCountedAllow(statement) {
    return statement.effect?.value === 'Allow' && statement.action !== undefined && statement.notPrincipal === undefined;
}
/** Whether the statement's principal, action and every condition hold for the request. */
function statementApplies(statement, principal, action) {
    return (0,_conditions_js__WEBPACK_IMPORTED_MODULE_0__/* .all */ .Q7)([
        principalApplies(statement, principal),
        actionCovered(statement, action) ? 'yes' : 'no',
        (0,_conditions_js__WEBPACK_IMPORTED_MODULE_0__/* .conditionsHold */ .go)(statement.conditions, principal)
    ]);
}
/** Whether the statement's principal element (and conditions) apply to a session of `principal`, for any action. */
function appliesTo(statement, principal) {
    return (0,_conditions_js__WEBPACK_IMPORTED_MODULE_0__/* .all */ .Q7)([principalApplies(statement, principal), (0,_conditions_js__WEBPACK_IMPORTED_MODULE_0__/* .conditionsHold */ .go)(statement.conditions, principal)]);
}
/** Whether the statement's Action (or NotAction) covers an action; actions compare case-insensitively. */
function actionCovered(statement, action) {
    if (statement.action)
        return statement.action.values.some((pattern) => (0,_operators_js__WEBPACK_IMPORTED_MODULE_2__/* .wildcardMatch */ .UF)(pattern.value, action, true));
    if (statement.notAction)
        return !statement.notAction.values.some((pattern) => (0,_operators_js__WEBPACK_IMPORTED_MODULE_2__/* .wildcardMatch */ .UF)(pattern.value, action, true));
    return false;
}
/**
 * Principal: `*`, the role, or its account's root match the role's sessions; a session ARN of the role
 * matches only that session, whose name is not known offline.
 *
 * NotPrincipal in a Deny exempts a role's session only when it names that session, the role and the account
 * (IAM user guide, "NotPrincipal": "The assumed-role user is identified by the role session name", sessions
 * take no wildcard, and without the role's or the account's ARN "the effect of the policy might be to
 * explicitly deny access"). Runpod's session names are not known offline, so a list naming all three is
 * undecided, and any other list leaves the Deny applying.
 */
function principalApplies(statement, principal) {
    if (statement.principal)
        return any(statement.principal.values.map((value) => principalMatches(value, principal)));
    if (statement.notPrincipal) {
        const listed = statement.notPrincipal.values.filter((value) => value.type === 'AWS');
        if (listed.some((value) => value.value === '*'))
            return 'no';
        const account = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_4__/* .iamAccountOf */ .q_)(principal);
        const namesAll = listed.some((value) => isSessionOf(value.value, principal)) &&
            listed.some((value) => value.value === principal) &&
            listed.some((value) => account !== undefined && (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_4__/* .rootArnAccount */ .nc)(value.value) === account);
        return namesAll ? 'unknown' : 'yes';
    }
    return 'no';
}
function principalMatches(value, principal) {
    if (value.type !== 'AWS')
        return 'no';
    if (value.value === '*')
        return 'yes';
    if (value.value === principal)
        return 'yes';
    const account = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_4__/* .rootArnAccount */ .nc)(value.value);
    if (account !== undefined)
        return account === (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_4__/* .iamAccountOf */ .q_)(principal) ? 'yes' : 'no';
    return isSessionOf(value.value, principal) ? 'unknown' : 'no';
}
/** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` for the role `arn:aws:iam::ACCOUNT:role/ROLE`. */
function isSessionOf(candidate, role) {
    const session = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_4__/* .parseArn */ .Lw)(candidate);
    const parent = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_4__/* .parseArn */ .Lw)(role);
    if (!session || !parent || session.service !== 'sts' || !parent.resource.startsWith('role/'))
        return false;
    const roleName = parent.resource.slice('role/'.length).split('/').at(-1);
    return session.account === parent.account && session.resource.startsWith(`assumed-role/${roleName}/`);
}
/** Three-valued OR. */
function any(truths) {
    if (truths.includes('yes'))
        return 'yes';
    return truths.includes('unknown') ? 'unknown' : 'no';
}
/** Pull actions each principal is provably allowed by some Allow statement, before Deny. */
function allowedPullActions(doc, principals) {
    return new Map(principals.map((principal) => [
        principal,
        new Set(_runpod_statement_js__WEBPACK_IMPORTED_MODULE_3__/* .PULL_ACTIONS */ .QC.filter((action) => doc.statements.some((statement) => isCountedAllow(statement) && statementApplies(statement, principal, action) === 'yes')))
    ]));
}
/** Pull actions a Deny statement provably takes away from the principal (`unknown`: those it may take away). */
function deniedPullActions(statement, principal, truth = 'yes') {
    if (statement.effect?.value !== 'Deny')
        return [];
    return _runpod_statement_js__WEBPACK_IMPORTED_MODULE_3__/* .PULL_ACTIONS */ .QC.filter((action) => statementApplies(statement, principal, action) === truth);
}
/** Positions in an Allow statement that name the superseded Runpod account (principal or condition value). */
function supersededReferences(statement) {
    if (statement.effect?.value !== 'Allow')
        return [];
    const named = (value) => value === _runpod_statement_js__WEBPACK_IMPORTED_MODULE_3__/* .SUPERSEDED_RUNPOD_ACCOUNT */ .EY || value.includes(`::${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_3__/* .SUPERSEDED_RUNPOD_ACCOUNT */ .EY}:`);
    const fromPrincipal = (statement.principal?.values ?? []).filter((value) => value.type === 'AWS' && named(value.value));
    const fromConditions = statement.conditions
        .filter((entry) => ['aws:principalarn', 'aws:principalaccount'].includes(entry.key.toLowerCase()) && !entry.negated)
        .flatMap((entry) => entry.values.filter((value) => named(value.value)));
    return [...fromPrincipal, ...fromConditions];
}


/***/ }),

/***/ 4857:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GF: () => (/* binding */ lintPolicy),
/* harmony export */   uo: () => (/* binding */ POLICY_MAX_CHARS),
/* harmony export */   wT: () => (/* binding */ LINT_RULES)
/* harmony export */ });
/* harmony import */ var _document_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1561);
/* harmony import */ var _grant_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8355);
/* harmony import */ var _aws_arn_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(1626);
/* harmony import */ var _conditions_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7882);
/* harmony import */ var _operators_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9191);
/* harmony import */ var _runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6696);






/** ECR's limit on the length of a repository policy. */
const POLICY_MAX_CHARS = 10_240;
const LINT_RULES = [
    {
        id: 'RPD001',
        severity: 'error',
        name: 'RunpodPullNotGranted',
        help: 'No Allow statement grants ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability to every required Runpod principal. Add the AllowRunpodPull statement (Principal "*" with a StringEquals aws:PrincipalArn condition naming the Runpod deployment roles).'
    },
    {
        id: 'RPD002',
        severity: 'error',
        name: 'PublicAccess',
        help: 'An Allow statement has Principal "*" (or {"AWS": "*"}) and no condition that pins the caller, so anyone with an AWS account can use it. Add a StringEquals condition on aws:PrincipalArn (or aws:PrincipalAccount / aws:PrincipalOrgID). Negated operators, ...IfExists and ForAllValues: do not pin the caller.'
    },
    {
        id: 'RPD003',
        severity: 'error',
        name: 'RunpodWriteAccess',
        help: 'A Runpod principal (or everyone) is allowed write or admin actions such as ecr:PutImage, layer uploads, deletes, policy changes, ecr:* or *. Runpod only pulls: grant it the three pull actions only.'
    },
    {
        id: 'RPD004',
        severity: 'warning',
        name: 'SupersededRunpodAccount',
        help: `The policy grants the account ${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .SUPERSEDED_RUNPOD_ACCOUNT */ .EY}, named by an earlier version of Runpod's docs. Runpod now pulls with its roles in account 550005742258: replace the old ARN with the current roles.`
    },
    {
        id: 'RPD005',
        severity: 'error',
        name: 'RunpodPullDenied',
        help: 'A Deny statement applies to a Runpod principal and a pull action, as IAM evaluates Runpod\'s pull (a session of its deployment role, from account 550005742258, outside your organization and network), so Runpod cannot pull whatever the Allow statements say. Exempt the Runpod roles inside that Deny with "ArnNotLike": {"aws:PrincipalArn": [the Runpod role ARNs]}.'
    },
    {
        id: 'RPD006',
        severity: 'error',
        name: 'AllowWithNotElement',
        help: 'An Allow statement uses NotPrincipal or NotAction, which grants everything not listed. Use Principal and Action with explicit values instead.'
    },
    {
        id: 'RPD007',
        severity: 'error',
        name: 'InvalidPolicy',
        help: 'The text is not a valid repository policy: JSON syntax, missing Statement, bad Effect, unknown element or condition operator. ECR rejects it; fix the element named in the message.'
    },
    {
        id: 'RPD008',
        severity: 'error',
        name: 'DuplicateSid',
        help: 'Two statements have the same Sid. Give every statement a unique Sid.'
    },
    {
        id: 'RPD009',
        severity: 'warning',
        name: 'PolicyVersion',
        help: 'Version is missing or the legacy 2008-10-17, which lacks policy variables. Set "Version": "2012-10-17".'
    },
    {
        id: 'RPD010',
        severity: 'note',
        name: 'GetAuthorizationTokenIgnored',
        help: 'ecr:GetAuthorizationToken has no effect in a repository policy: it is not a repository action. Runpod grants it to its roles in its own account; you may remove it.'
    },
    {
        id: 'RPD011',
        severity: 'error',
        name: 'PolicyTooLong',
        help: `The policy text is longer than ${POLICY_MAX_CHARS.toLocaleString('en-US')} characters, ECR's limit for a repository policy. Merge statements or remove unused ones.`
    },
    {
        id: 'RPD012',
        severity: 'warning',
        name: 'WildcardInEqualsCondition',
        help: 'A StringEquals or StringNotEquals (or IgnoreCase) condition value contains * or ?, which these operators match literally. Use StringLike or StringNotLike for a pattern, or write the exact value. ArnEquals and ArnNotEquals are not flagged: IAM gives them wildcards, exactly like ArnLike and ArnNotLike.'
    },
    {
        id: 'RPD013',
        severity: 'warning',
        name: 'RunpodPullMaybeDenied',
        help: 'A Deny statement may apply to a Runpod principal and a pull action through something that cannot be decided offline: a condition key such as aws:SourceIp or aws:PrincipalTag/..., or a NotPrincipal that lists a session, the role and the account (it exempts only the session it names, and the names of Runpod\'s sessions are not known). Exempt the Runpod roles explicitly inside that Deny with "ArnNotLike": {"aws:PrincipalArn": [the Runpod role ARNs]}.'
    }
];
const SEVERITY = new Map(LINT_RULES.map((rule) => [rule.id, rule.severity]));
/** Repository actions that change images or the repository: Runpod must never get them. */
const WRITE_ACTIONS = [
    'ecr:PutImage',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:BatchDeleteImage',
    'ecr:DeleteRepository',
    'ecr:DeleteRepositoryPolicy',
    'ecr:SetRepositoryPolicy',
    'ecr:PutLifecyclePolicy',
    'ecr:DeleteLifecyclePolicy',
    'ecr:PutImageTagMutability',
    'ecr:PutImageScanningConfiguration',
    'ecr:StartImageScan',
    'ecr:StartLifecyclePolicyPreview',
    'ecr:ReplicateImage',
    'ecr:TagResource',
    'ecr:UntagResource'
];
const PINNING_KEYS = new Set([
    'aws:principalarn',
    'aws:principalaccount',
    'aws:principalorgid',
    'aws:sourceaccount',
    'aws:sourcearn',
    'aws:userid',
    'aws:username'
]);
/**
 * Lints one repository policy text. `principals` are the roles that must be able to pull (default:
 * Runpod's deployment roles). Findings are sorted by position.
 */
function lintPolicy(text, file, principals = _runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .RUNPOD_DEPLOYMENT_ROLES */ .F1) {
    const findings = [];
    const report = (rule, at, message) => findings.push({ rule, severity: SEVERITY.get(rule) ?? 'error', file, line: at.line, column: at.column, message });
    if (text.length > POLICY_MAX_CHARS) {
        report('RPD011', { line: 1, column: 1 }, `The policy is ${text.length.toLocaleString('en-US')} characters long; ECR accepts at most ${POLICY_MAX_CHARS.toLocaleString('en-US')}. Merge statements or remove unused ones.`);
    }
    const doc = (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .parsePolicy */ .O)(text);
    for (const problem of doc.problems)
        report('RPD007', problem, problem.message);
    if (doc.json === undefined || doc.statementElement === undefined)
        return sorted(findings);
    // A Version with a bad value is RPD007 already.
    if (!('Version' in doc.json)) {
        report('RPD009', { line: 1, column: 1 }, 'The policy has no "Version": add "Version": "2012-10-17" (without it IAM uses the legacy 2008-10-17 language).');
    }
    else if (doc.version?.value === '2008-10-17') {
        report('RPD009', doc.version, 'The policy uses the legacy "Version": "2008-10-17": set it to "2012-10-17".');
    }
    // What an invalid policy means is undefined (ECR rejects it): judge meaning only once RPD007 is fixed.
    const valid = doc.problems.length === 0;
    if (valid)
        checkGrant(doc, principals, doc.statementElement, report);
    const sids = new Map();
    for (const statement of doc.statements) {
        if (statement.sid) {
            const first = sids.get(statement.sid.value);
            if (first) {
                report('RPD008', statement.sid, `Sid "${statement.sid.value}" is used again (first at line ${first.line}): give every statement a unique Sid.`);
            }
            else {
                sids.set(statement.sid.value, statement);
            }
        }
        checkStatement(statement, valid ? principals : undefined, report);
    }
    return sorted(findings);
}
function checkGrant(doc, principals, at, report) {
    const allowed = (0,_grant_js__WEBPACK_IMPORTED_MODULE_1__/* .allowedPullActions */ .t7)(doc, principals);
    const lacking = principals
        .map((principal) => ({ principal, actions: _runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .PULL_ACTIONS */ .QC.filter((action) => !allowed.get(principal)?.has(action)) }))
        .filter((entry) => entry.actions.length > 0);
    if (lacking.length === 0)
        return;
    const detail = lacking.map((entry) => `${entry.principal} lacks ${entry.actions.join(', ')}`).join('; ');
    report('RPD001', at, `No Allow statement grants Runpod pull access: ${detail}. Add a statement with Sid "${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .RUNPOD_STATEMENT_SID */ .Mz}", Principal "*", Action ${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .PULL_ACTIONS */ .QC.join(', ')} and Condition {"StringEquals": {"aws:PrincipalArn": [the Runpod role ARNs]}}.`);
}
/** Per-statement rules; `principals` undefined skips the rules about meaning (invalid document). */
function checkStatement(statement, principals, report) {
    const name = statement.sid ? `Statement "${statement.sid.value}"` : `The ${statement.label}`;
    if (principals)
        checkMeaning(statement, name, principals, report);
    for (const action of statement.action?.values ?? []) {
        if (action.value.toLowerCase() === 'ecr:getauthorizationtoken') {
            report('RPD010', action, `"ecr:GetAuthorizationToken" has no effect in a repository policy (Runpod grants it to its roles in its own account); you may remove it from ${name.charAt(0).toLowerCase()}${name.slice(1)}.`);
        }
    }
    for (const entry of statement.conditions) {
        if (!(0,_operators_js__WEBPACK_IMPORTED_MODULE_3__/* .isLiteralOperator */ .mO)(entry.base))
            continue;
        for (const value of entry.values) {
            if (!/[*?]/.test(value.value))
                continue;
            const like = entry.operator.replace(/Equals(IgnoreCase)?/i, 'Like');
            report('RPD012', value, `"${entry.operator}" compares "${value.value}" literally, so its "*" or "?" is not a wildcard. Use "${like}" for a pattern, or write the exact value.`);
        }
    }
}
/** RPD002-RPD006: who the statement lets do what. */
function checkMeaning(statement, name, principals, report) {
    if (statement.effect?.value === 'Allow') {
        if (isPublic(statement)) {
            report('RPD002', statement.principal ?? statement, `${name} allows Principal "*" with no condition that pins the caller, so any AWS account can use it. Add "Condition": {"StringEquals": {"aws:PrincipalArn": [...]}} naming the roles that need access, or name them in Principal.`);
        }
        for (const [which, element] of [
            ['NotPrincipal', statement.notPrincipal],
            ['NotAction', statement.notAction]
        ]) {
            if (!element)
                continue;
            report('RPD006', element, `${name} is an Allow with "${which}", which grants everything not listed. Use "${which.slice(3)}" with explicit values instead.`);
        }
        checkWrite(statement, name, principals, report);
        for (const reference of (0,_grant_js__WEBPACK_IMPORTED_MODULE_1__/* .supersededReferences */ .NR)(statement)) {
            report('RPD004', reference, `${name} grants "${reference.value}" in account ${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .SUPERSEDED_RUNPOD_ACCOUNT */ .EY}, which an earlier version of Runpod's docs named and Runpod no longer uses. Replace it with the current roles: ${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .RUNPOD_DEPLOYMENT_ROLES */ .F1.join(', ')}.`);
        }
    }
    for (const principal of principals) {
        const denied = (0,_grant_js__WEBPACK_IMPORTED_MODULE_1__/* .deniedPullActions */ .cx)(statement, principal);
        if (denied.length > 0) {
            report('RPD005', statement, `${name} denies ${denied.join(', ')} to ${principal}, so Runpod cannot pull. Exempt the Runpod roles inside that Deny: add ${(0,_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .runpodExemption */ .Mj)(principals)} to its "Condition".`);
            continue;
        }
        const maybe = (0,_grant_js__WEBPACK_IMPORTED_MODULE_1__/* .deniedPullActions */ .cx)(statement, principal, 'unknown');
        if (maybe.length === 0)
            continue;
        report('RPD013', statement, `${name} may deny ${maybe.join(', ')} to ${principal}, depending on ${undecidable(statement, principal)}, which cannot be known before Runpod pulls. Exempt the Runpod roles explicitly: add ${(0,_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .runpodExemption */ .Mj)(principals)} to the Deny's "Condition".`);
    }
}
/** What makes a Deny undecidable for the principal: its NotPrincipal, or the condition keys unknown offline. */
function undecidable(statement, principal) {
    const keys = [
        ...new Set(statement.conditions
            .filter((entry) => (0,_conditions_js__WEBPACK_IMPORTED_MODULE_2__/* .entryHolds */ .xB)(entry, (0,_conditions_js__WEBPACK_IMPORTED_MODULE_2__/* .pullContext */ .Ry)(entry.key, principal)) === 'unknown')
            .map((entry) => entry.key))
    ];
    const parts = [
        ...(statement.notPrincipal
            ? [
                'its "NotPrincipal" (it exempts only the sessions it names, and the names of Runpod\'s sessions are not known)'
            ]
            : []),
        ...(keys.length > 0
            ? [`the condition key${keys.length === 1 ? '' : 's'} ${keys.map((key) => `"${key}"`).join(', ')}`]
            : [])
    ];
    return parts.join(' and ');
}
function isPublic(statement) {
    return (statement.principal?.values.some((value) => value.type === 'AWS' && value.value === '*') === true &&
        !pinsCaller(statement.conditions));
}
/** RPD003: the statement may give a Runpod principal (or everyone) a write or admin action. */
function checkWrite(statement, name, principals, report) {
    const who = principals.filter((principal) => (0,_grant_js__WEBPACK_IMPORTED_MODULE_1__/* .appliesTo */ .Gl)(statement, principal) !== 'no');
    const everyone = isPublic(statement);
    if (who.length === 0 && !everyone)
        return;
    for (const action of statement.action?.values ?? []) {
        const covered = WRITE_ACTIONS.filter((write) => (0,_operators_js__WEBPACK_IMPORTED_MODULE_3__/* .wildcardMatch */ .UF)(action.value, write, true));
        if (covered.length === 0)
            continue;
        const whom = everyone ? 'everyone' : who.join(', ');
        const example = covered.length > 3 ? `${covered.slice(0, 3).join(', ')}, …` : covered.join(', ');
        report('RPD003', action, `${name} allows "${action.value}" (${example}) to ${whom}. Runpod only pulls: grant it ${_runpod_statement_js__WEBPACK_IMPORTED_MODULE_4__/* .PULL_ACTIONS */ .QC.join(', ')} only, and give write access to your CI role in a separate statement.`);
    }
}
/**
 * Whether some condition limits who the caller is (RPD002): the forms that can only narrow access, with
 * values that each stay within named accounts (a pattern such as arn:aws:iam::*:role/* admits them all).
 */
function pinsCaller(conditions) {
    return conditions.some((entry) => PINNING_KEYS.has(entry.key.toLowerCase()) &&
        /^(String|Arn)/.test(entry.base) &&
        !entry.negated &&
        !entry.ifExists &&
        entry.qualifier !== 'ForAllValues' &&
        entry.values.length > 0 &&
        entry.values.every((value) => (0,_operators_js__WEBPACK_IMPORTED_MODULE_3__/* .isLiteralOperator */ .mO)(entry.base) || pinsAccounts(value.value)));
}
/** A pattern (ARN operators, StringLike) that matches callers of named accounts only. */
function pinsAccounts(pattern) {
    if (!/[*?]/.test(pattern))
        return true;
    // Outside an ARN (an account or organization id), or before the account's end (where StringLike's * also
    // spans colons), any wildcard can admit every account.
    const arn = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_5__/* .parseArn */ .Lw)(pattern);
    return arn !== undefined && !/[*?]/.test(`${arn.partition}:${arn.service}:${arn.region}:${arn.account}`);
}
function sorted(findings) {
    return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}


/***/ }),

/***/ 9191:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A$: () => (/* binding */ parseOperator),
/* harmony export */   C6: () => (/* binding */ valueMatcher),
/* harmony export */   UF: () => (/* binding */ wildcardMatch),
/* harmony export */   mO: () => (/* binding */ isLiteralOperator)
/* harmony export */ });
/* unused harmony export arnMatch */
/* harmony import */ var _aws_arn_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1626);
// IAM condition operators: their names, qualifiers and negations, and how each compares values.

const BASE_OPERATORS = [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
    'Null'
];
const OPERATOR_BY_LOWER = new Map(BASE_OPERATORS.map((name) => [name.toLowerCase(), name]));
const NEGATED_OPERATORS = new Set([
    'StringNotEquals',
    'StringNotEqualsIgnoreCase',
    'StringNotLike',
    'NumericNotEquals',
    'DateNotEquals',
    'NotIpAddress',
    'ArnNotEquals',
    'ArnNotLike'
]);
/** Takes a condition operator apart; undefined when IAM does not know it. */
function parseOperator(operator) {
    let rest = operator;
    let qualifier;
    const prefix = /^(ForAnyValue|ForAllValues):/i.exec(rest);
    if (prefix) {
        qualifier = prefix[1]?.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
        rest = rest.slice(prefix[0].length);
    }
    const ifExists = /IfExists$/i.test(rest);
    if (ifExists)
        rest = rest.slice(0, -'IfExists'.length);
    const base = OPERATOR_BY_LOWER.get(rest.toLowerCase());
    if (base === undefined || (base === 'Null' && ifExists))
        return undefined;
    return { base, ifExists, qualifier, negated: NEGATED_OPERATORS.has(base) };
}
/**
 * How an operator compares one policy value with one request value; undefined for the operators whose
 * keys never describe Runpod's pull (numbers, dates, IP addresses, binary).
 */
function valueMatcher(base) {
    switch (base) {
        case 'StringEquals':
        case 'StringNotEquals':
            return (pattern, value) => pattern === value;
        case 'StringEqualsIgnoreCase':
        case 'StringNotEqualsIgnoreCase':
            return (pattern, value) => pattern.toLowerCase() === value.toLowerCase();
        case 'StringLike':
        case 'StringNotLike':
            return (pattern, value) => wildcardMatch(pattern, value, false);
        // IAM gives ArnEquals the same wildcards as ArnLike.
        case 'ArnEquals':
        case 'ArnNotEquals':
        case 'ArnLike':
        case 'ArnNotLike':
            return arnMatch;
        default:
            return undefined;
    }
}
/** Whether an operator compares values exactly, so that `*` and `?` in its values are plain characters. */
function isLiteralOperator(base) {
    return /^String(Not)?Equals(IgnoreCase)?$/.test(base);
}
/**
 * ARN operators: each of the six colon-separated parts is matched on its own, with `*` and `?` inside a part,
 * so a `*` never spans a colon. A value that is not an ARN matches nothing.
 */
function arnMatch(pattern, value) {
    const patternParts = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_0__/* .arnParts */ .wo)(pattern);
    const valueParts = (0,_aws_arn_js__WEBPACK_IMPORTED_MODULE_0__/* .arnParts */ .wo)(value);
    if (!patternParts || !valueParts)
        return false;
    return patternParts.every((part, index) => wildcardMatch(part, valueParts[index] ?? '', false));
}
/** IAM wildcard match: `*` any run of characters, `?` one character. */
function wildcardMatch(pattern, value, ignoreCase) {
    const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : `\\${ch}`));
    return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}


/***/ })

};
