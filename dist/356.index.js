export const id = 356;
export const ids = [356];
export const modules = {

/***/ 2356:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publishDeployReport: () => (/* binding */ publishDeployReport),
  publishLintReport: () => (/* binding */ publishLintReport)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 17 modules
var core = __webpack_require__(9275);
// EXTERNAL MODULE: ./src/deploy/report.ts
var deploy_report = __webpack_require__(5505);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/aws/image-reference.ts
var image_reference = __webpack_require__(9384);
// EXTERNAL MODULE: ./src/runpod/registries.ts
var registries = __webpack_require__(4997);
;// CONCATENATED MODULE: ./src/github/html.ts
// Job summaries are raw HTML: anything from users or APIs is escaped on the way in.
function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function html_link(url, text) {
    return `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>`;
}

;// CONCATENATED MODULE: ./src/github/summary.ts
// The job summary of each mode: what a person reads after the run, as tables with links.




const STATUS_ICONS = {
    'rolled-out': '✅ rolled out',
    updated: '🔄 updated (not waited for)',
    unchanged: '➖ unchanged',
    'rolled-back': '↩️ rolled back',
    failed: '❌ failed',
    planned: '📝 planned'
};
async function writeDeploySummary(report) {
    if (!process.env['GITHUB_STEP_SUMMARY'])
        return;
    const summary = core/* summary */.z.addHeading(report.mode === 'verify' ? 'Runpod ECR deploy: plan (verify mode, nothing changed)' : 'Runpod ECR deploy', 2);
    if (report.failure)
        summary.addRaw(`<p>❌ <strong>Failed:</strong> ${escapeHtml(report.failure)}</p>`, true);
    summary.addTable(overviewRows(report));
    const plan = report.plan;
    if (plan?.policy.kind === 'apply') {
        const verb = report.mode === 'verify'
            ? 'Deploy would add this statement'
            : report.policyChanged
                ? 'Added this statement'
                : 'Statement to add';
        summary.addDetails(verb, `\n\n\`\`\`json\n${JSON.stringify(plan.policy.merge.statement, null, 2)}\n\`\`\`\n\n`);
    }
    if (report.deployments.length > 0)
        summary.addHeading('Targets', 3).addTable(targetRows(report.deployments));
    for (const deployment of report.deployments) {
        if (!deployment.reason && !deployment.note && !deployment.diagnostics?.length)
            continue;
        summary.addHeading(`${deployment.kind} ${escapeHtml(deployment.id)}: ${STATUS_ICONS[deployment.status]}`, 4);
        for (const text of [deployment.reason, deployment.note])
            if (text)
                summary.addRaw(`<p>${escapeHtml(text)}</p>`, true);
        if (deployment.diagnostics?.length)
            summary.addCodeBlock(deployment.diagnostics.join('\n'));
    }
    for (const warning of plan?.warnings ?? [])
        summary.addRaw(`<p>⚠️ ${escapeHtml(warning)}</p>`, true);
    await summary.write();
}
function overviewRows(report) {
    const plan = report.plan;
    const rows = [
        [
            { data: 'Image', header: true },
            { data: `<code>${escapeHtml(plan?.deployImage ?? (0,image_reference/* formatImageReference */.my)(report.image))}</code>` }
        ]
    ];
    if (plan?.digest)
        rows.push([{ data: 'Digest', header: true }, { data: `<code>${escapeHtml(plan.digest)}</code>` }]);
    const ecr = report.image.ecr;
    if (ecr)
        rows.push([
            { data: 'Repository', header: true },
            { data: html_link(ecrConsoleUrl(ecr), `${ecr.repository} (${ecr.account}, ${ecr.region})`) }
        ]);
    if (plan) {
        rows.push([{ data: 'Repository policy', header: true }, { data: escapeHtml(policyText(report, plan)) }]);
        rows.push([{ data: 'ECR delegation', header: true }, { data: escapeHtml(delegationText(report, plan)) }]);
        if (plan.credential.kind !== 'skipped')
            rows.push([{ data: 'Registry credential', header: true }, { data: escapeHtml(credentialText(report, plan)) }]);
    }
    return rows;
}
function policyText(report, plan) {
    switch (plan.policy.kind) {
        case 'skipped':
            return `skipped: ${plan.policy.reason}`;
        case 'granted':
            return 'already grants Runpod pull';
        case 'apply':
            if (report.policyChanged)
                return 'applied: added the AllowRunpodPull statement';
            return report.mode === 'verify'
                ? 'missing: deploy would add the AllowRunpodPull statement'
                : 'missing: not written (the run stopped first)';
    }
}
function delegationText(report, plan) {
    switch (plan.delegation.kind) {
        case 'skipped':
            return `skipped: ${plan.delegation.reason}`;
        case 'reuse':
            return `exists: ${plan.delegation.delegation.id}`;
        case 'create':
            if (report.delegationId)
                return `created: ${report.delegationId}`;
            return report.mode === 'verify'
                ? `missing: deploy would create one for ${plan.delegation.repository.arn}`
                : 'missing: not created (the run stopped first)';
    }
}
function credentialText(report, plan) {
    const result = report.credential;
    if (!result)
        return report.mode === 'verify'
            ? `plan: ${(0,registries/* describeCredentialStep */.hB)(plan.credential)}`
            : 'not written (the run stopped first)';
    const how = {
        refreshed: `refreshed in place: ${result.id} (${result.name}) holds a fresh ECR token`,
        created: `created: ${result.id} (${result.name})`,
        rotated: `rotated: created ${result.id} (${result.name}), as Runpod's GraphQL updateRegistryAuth is retired (${result.retiredReason ?? ''})`
    }[result.how];
    const cleanup = result.cleanup;
    if (!cleanup)
        return how;
    const deleted = cleanup.deleted.map((registry) => `deleted ${registry.id} (${registry.name})`);
    const kept = cleanup.kept.map(({ registry, reason }) => `kept ${registry.id} (${registry.name}): ${reason}`);
    return [how, ...deleted, ...kept].join('; ');
}
function targetRows(deployments) {
    const header = ['Target', 'Previous image', 'New image', 'Status', 'Time', 'Console'].map((data) => ({
        data,
        header: true
    }));
    return [
        header,
        ...deployments.map((deployment) => [
            `${deployment.kind} <code>${escapeHtml(deployment.id)}</code>${deployment.name ? ` ${escapeHtml(deployment.name)}` : ''}`,
            `<code>${escapeHtml(deployment.previousImage)}</code>`,
            deployment.previousImage === deployment.image ? '(same)' : `<code>${escapeHtml(deployment.image)}</code>`,
            STATUS_ICONS[deployment.status],
            deployment.durationMs === undefined ? '' : formatDuration(deployment.durationMs),
            html_link(runpodConsoleUrl(deployment.kind, deployment.id), 'open')
        ])
    ];
}
function formatDuration(ms) {
    const seconds = Math.round(ms / 1000);
    return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}
function runpodConsoleUrl(kind, id) {
    const encoded = encodeURIComponent(id);
    return kind === 'pod'
        ? `https://console.runpod.io/pods?id=${encoded}`
        : `https://console.runpod.io/serverless/user/endpoint/${encoded}`;
}
function ecrConsoleUrl(ecr) {
    const host = ecr.partition === 'aws-cn'
        ? 'console.amazonaws.cn'
        : ecr.partition === 'aws-us-gov'
            ? 'console.amazonaws-us-gov.com'
            : 'console.aws.amazon.com';
    return `https://${ecr.region}.${host}/ecr/repositories/private/${ecr.account}/${ecr.repository}?region=${ecr.region}`;
}
async function writeLintSummary(report) {
    // Local runs (act, scripts) have no job summary; the annotations and output still carry everything.
    if (!process.env['GITHUB_STEP_SUMMARY'])
        return;
    const { findings, fileCount, line } = report;
    core/* summary */.z.addHeading('Repository policy lint', 2).addRaw(line, true);
    if (findings.length === 0) {
        core/* summary */.z.addRaw(`\nNo findings in ${fileCount} ${fileCount === 1 ? 'file' : 'files'}.`, true);
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
                escapeHtml(finding.message)
            ])
        ]);
    }
    await core/* summary */.z.write();
}

;// CONCATENATED MODULE: ./src/github/publish.ts
// Hands a mode's report to GitHub: the step's outputs, annotations and job summary. Reporting never
// replaces the error that ended the run: a failing summary write is a warning.




const ANNOTATE = { error: core/* error */.z3, warning: core/* warning */.$e, note: core/* notice */.lm };
async function publishDeployReport(report) {
    for (const [name, value] of Object.entries((0,deploy_report/* deployOutputs */.gf)(report)))
        core/* setOutput */.uH(name, value);
    await writeDeploySummary(report).catch((error) => core/* warning */.$e(`Could not write the job summary: ${(0,errors/* errorMessage */.gJ)(error)}`));
}
async function publishLintReport(report) {
    for (const finding of report.findings) {
        ANNOTATE[finding.severity](finding.message, {
            title: finding.rule,
            file: finding.file,
            startLine: finding.line,
            startColumn: finding.column
        });
    }
    core/* setOutput */.uH('findings', JSON.stringify(report.findings));
    if (report.sarifFile)
        core/* info */.pq(`Wrote SARIF findings to ${report.sarifFile}.`);
    await writeLintSummary(report).catch((error) => core/* warning */.$e(`Could not write the job summary: ${(0,errors/* errorMessage */.gJ)(error)}`));
    if (!report.failure)
        core/* info */.pq(report.line);
}


/***/ })

};
