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

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 17 modules
var core = __webpack_require__(9275);
// EXTERNAL MODULE: ./node_modules/@actions/glob/lib/glob.js + 17 modules
var glob = __webpack_require__(3324);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/github/summary.ts
var summary = __webpack_require__(2935);
// EXTERNAL MODULE: ./src/policy/lint.ts
var lint = __webpack_require__(4857);
;// CONCATENATED MODULE: ./src/policy/sarif.ts

const INFORMATION_URI = 'https://github.com/runpod-ecr-deploy/runpod-ecr-deploy';
/**
 * SARIF 2.1.0 log of lint findings, in the shape github/codeql-action/upload-sarif accepts. `file` of
 * each finding must already be relative to the workspace (the repository root).
 */
function toSarif(findings, toolVersion) {
    const ruleIndex = new Map(lint/* LINT_RULES */.wT.map((rule, index) => [rule.id, index]));
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
                    locations: [
                        {
                            physicalLocation: {
                                artifactLocation: { uri: finding.file.replace(/\\/g, '/').replace(/^\.\//, ''), uriBaseId: '%SRCROOT%' },
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

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/lint/run.ts









const ANNOTATE = { error: core/* error */.z3, warning: core/* warning */.$e, note: core/* notice */.lm };
/** `mode: lint`: lints policy files in the workspace offline, reports findings, fails at `fail-on`. */
async function runLint(inputs) {
    const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
    const files = await expand(inputs.policyFiles, workspace);
    const perFile = await Promise.all(files.map(async (file) => {
        const relative = external_node_path_default().relative(workspace, file).split((external_node_path_default()).sep).join('/');
        const text = await (0,promises_.readFile)(file, 'utf8').catch((error) => {
            throw new src_errors/* ActionError */.l(`Input 'policy-file': could not read ${relative} (${(0,src_errors/* errorMessage */.g)(error)}). Check that the file exists and is readable.`);
        });
        return (0,lint/* lintPolicy */.GF)(text.replace(/^\uFEFF/, ''), relative);
    }));
    const findings = perFile.flat();
    for (const finding of findings) {
        ANNOTATE[finding.severity](finding.message, {
            title: finding.rule,
            file: finding.file,
            startLine: finding.line,
            startColumn: finding.column
        });
    }
    core/* setOutput */.uH('findings', JSON.stringify(findings));
    if (inputs.sarifFile) {
        const sarifPath = external_node_path_default().resolve(workspace, inputs.sarifFile);
        const sarif = `${JSON.stringify(toSarif(findings, package_namespaceObject.rE), null, 2)}\n`;
        await (0,promises_.mkdir)(external_node_path_default().dirname(sarifPath), { recursive: true })
            .then(() => (0,promises_.writeFile)(sarifPath, sarif))
            .catch((error) => {
            throw new src_errors/* ActionError */.l(`Input 'sarif-file': could not write ${inputs.sarifFile} (${(0,src_errors/* errorMessage */.g)(error)}). Choose a path inside the workspace that the job may write.`);
        });
        core/* info */.pq(`Wrote SARIF findings to ${inputs.sarifFile}.`);
    }
    const count = (severity) => findings.filter((finding) => finding.severity === severity).length;
    const errors = count('error');
    const warnings = count('warning');
    const line = `Policy lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(count('note'), 'note')} in ${plural(files.length, 'file')}.`;
    await writeSummary(findings, files.length, line);
    const failing = inputs.failOn === 'warning' ? errors + warnings : errors;
    if (failing > 0)
        core/* setFailed */.C1(`${line} Failing because of findings at or above '${inputs.failOn}' (input 'fail-on').`);
    else
        core/* info */.pq(line);
}
/** Each pattern on its own, so one that matches nothing is named in the error. */
async function expand(patterns, workspace) {
    const files = new Set();
    for (const pattern of patterns) {
        const globber = await glob/* create */.v(external_node_path_default().resolve(workspace, pattern), { matchDirectories: false, implicitDescendants: false });
        const matched = await globber.glob();
        if (matched.length === 0) {
            throw new src_errors/* ActionError */.l(`Input 'policy-file': '${pattern}' matches no file in ${workspace}. Fix the path or glob (relative to the repository root), or check out the repository first (actions/checkout).`);
        }
        for (const file of matched.sort())
            files.add(file);
    }
    return [...files];
}
async function writeSummary(findings, fileCount, line) {
    // Local runs (act, scripts) have no job summary; the annotations and output still carry everything.
    if (!process.env['GITHUB_STEP_SUMMARY'])
        return;
    core/* summary */.z.addHeading('Repository policy lint', 2).addRaw(line, true);
    if (findings.length === 0) {
        core/* summary */.z.addRaw(`\nNo findings in ${plural(fileCount, 'file')}.`, true);
    }
    else {
        core/* summary */.z.addTable([
            [
                { data: 'Severity', header: true },
                { data: 'Rule', header: true },
                { data: 'Location', header: true },
                { data: 'Finding', header: true }
            ],
            ...findings.map((finding) => [
                finding.severity,
                finding.rule,
                `${finding.file}:${finding.line}:${finding.column}`,
                (0,summary/* escapeHtml */.Z)(finding.message)
            ])
        ]);
    }
    await core/* summary */.z.write();
}
function plural(count, noun) {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
}


/***/ })

};
