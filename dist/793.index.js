export const id = 793;
export const ids = [793];
export const modules = {

/***/ 8793:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runLint: () => (/* binding */ runLint)
});

// EXTERNAL MODULE: ./node_modules/@actions/glob/lib/glob.js + 17 modules
var glob = __webpack_require__(3324);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/policy/lint.ts
var lint = __webpack_require__(4857);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/policy/sarif.ts


const INFORMATION_URI = 'https://github.com/runpod-ecr-deploy/runpod-ecr-deploy';
/**
 * SARIF 2.1.0 log of lint findings, in the shape github/codeql-action/upload-sarif accepts. `file` of
 * each finding must already be relative to the workspace (the repository root); `sources` holds each
 * file's text, from which code scanning's fingerprints are taken.
 */
function toSarif(findings, toolVersion, sources) {
    const ruleIndex = new Map(lint/* LINT_RULES */.wT.map((rule, index) => [rule.id, index]));
    const fingerprint = lineFingerprints(sources);
    return {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
            {
                tool: {
                    driver: {
                        name: 'runpod-ecr-deploy',
                        informationUri: INFORMATION_URI,
                        version: toolVersion,
                        semanticVersion: toolVersion,
                        rules: lint/* LINT_RULES */.wT.map((rule) => ({
                            id: rule.id,
                            name: rule.name,
                            shortDescription: { text: firstSentence(rule.help) },
                            fullDescription: { text: rule.help },
                            help: { text: rule.help },
                            defaultConfiguration: { level: rule.severity }
                        }))
                    }
                },
                results: findings.map((finding) => ({
                    ruleId: finding.rule,
                    ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
                    level: finding.severity,
                    message: { text: finding.message },
                    partialFingerprints: { primaryLocationLineHash: fingerprint(finding) },
                    locations: [
                        {
                            physicalLocation: {
                                artifactLocation: {
                                    uri: finding.file.replace(/\\/g, '/').replace(/^\.\//, ''),
                                    uriBaseId: '%SRCROOT%'
                                },
                                region: { startLine: finding.line, startColumn: finding.column }
                            }
                        }
                    ]
                }))
            }
        ]
    };
}
function firstSentence(text) {
    const end = text.indexOf('. ');
    return end === -1 ? text : text.slice(0, end + 1);
}
/**
 * Code scanning's `primaryLocationLineHash`: a hash of the rule and the flagged line's text (not its number),
 * with `:N` counting repeats within the file, so an alert keeps its identity when lines above it move.
 */
function lineFingerprints(sources) {
    const lines = new Map([...sources].map(([file, text]) => [file, text.split(/\r?\n/)]));
    const seen = new Map();
    return (finding) => {
        const text = lines.get(finding.file)?.[finding.line - 1]?.trim() ?? '';
        const hash = (0,external_node_crypto_.createHash)('sha256').update(`${finding.rule}\0${text}`).digest('hex').slice(0, 16);
        const key = `${finding.file}\0${hash}`;
        const occurrence = (seen.get(key) ?? 0) + 1;
        seen.set(key, occurrence);
        return `${hash}:${occurrence}`;
    };
}

;// CONCATENATED MODULE: ./src/lint/run.ts
// `mode: lint`: lints policy files in the workspace offline and writes SARIF; main.ts hands the report to
// github/ (annotations, outputs, job summary) and fails the step at `fail-on`.







async function runLint(inputs, workspace) {
    const files = await expand(inputs.policyFiles, workspace);
    const perFile = await Promise.all(files.map(async (file) => {
        const relative = external_node_path_default().relative(workspace, file).split((external_node_path_default()).sep).join('/');
        const text = await (0,promises_.readFile)(file, 'utf8').catch((error) => {
            throw new src_errors/* ActionError */.lZ(`Input 'policy-file': could not read ${relative} (${(0,src_errors/* errorMessage */.gJ)(error)}). Check that the file exists and is readable.`);
        });
        const source = text.replace(/^\uFEFF/, '');
        return { relative, source, findings: (0,lint/* lintPolicy */.GF)(source, relative, inputs.runpodPrincipals) };
    }));
    const findings = perFile.flatMap((file) => file.findings);
    if (inputs.sarifFile) {
        const sources = new Map(perFile.map((file) => [file.relative, file.source]));
        await writeSarif(toSarif(findings, package_namespaceObject.rE, sources), external_node_path_default().resolve(workspace, inputs.sarifFile), inputs.sarifFile);
    }
    const count = (severity) => findings.filter((finding) => finding.severity === severity).length;
    const errors = count('error');
    const warnings = count('warning');
    const line = `Policy lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(count('note'), 'note')} in ${plural(files.length, 'file')}.`;
    const failing = inputs.failOn === 'warning' ? errors + warnings : errors;
    return {
        findings,
        fileCount: files.length,
        ...(inputs.sarifFile ? { sarifFile: inputs.sarifFile } : {}),
        line,
        ...(failing > 0
            ? { failure: `${line} Failing because of findings at or above '${inputs.failOn}' (input 'fail-on').` }
            : {})
    };
}
async function writeSarif(log, sarifPath, input) {
    const sarif = `${JSON.stringify(log, null, 2)}\n`;
    await (0,promises_.mkdir)(external_node_path_default().dirname(sarifPath), { recursive: true })
        .then(() => (0,promises_.writeFile)(sarifPath, sarif))
        .catch((error) => {
        throw new src_errors/* ActionError */.lZ(`Input 'sarif-file': could not write ${input} (${(0,src_errors/* errorMessage */.gJ)(error)}). Choose a path inside the workspace that the job may write.`);
    });
}
/**
 * All patterns in one glob, in order, as other actions read a multi-line pattern input: a `!` line excludes
 * what the lines before it matched. A pattern that matches no file at all is named, as a typo would be.
 */
async function expand(patterns, workspace) {
    const absolute = patterns.map((pattern) => pattern.startsWith('!') ? `!${external_node_path_default().resolve(workspace, pattern.slice(1))}` : external_node_path_default().resolve(workspace, pattern));
    const search = async (lines) => (await glob/* create */.v(lines.join('\n'), { matchDirectories: false, implicitDescendants: false })).glob();
    const [files, ...alone] = await Promise.all([
        search(absolute),
        ...absolute.map((line) => (line.startsWith('!') ? Promise.resolve(['excluded']) : search([line])))
    ]);
    const empty = patterns.find((_pattern, index) => alone[index]?.length === 0);
    if (empty !== undefined) {
        throw new src_errors/* ActionError */.lZ(`Input 'policy-file': '${empty}' matches no file in ${workspace}. Fix the path or glob (relative to the repository root), or check out the repository first (actions/checkout).`);
    }
    if (files === undefined || files.length === 0) {
        throw new src_errors/* ActionError */.lZ(`Input 'policy-file': the '!' lines exclude every file the other lines match in ${workspace}, so there is nothing to lint. Narrow the '!' patterns or add the files to lint.`);
    }
    return files.sort();
}
function plural(count, noun) {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
}


/***/ })

};
