export const id = 15;
export const ids = [15];
export const modules = {

/***/ 5015:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   releaseTagFromEvent: () => (/* binding */ releaseTagFromEvent)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);


/**
 * The release's tag on a `release` event, else undefined. Read straight from the event file: the whole
 * @actions/github client (Octokit) would add most of a megabyte to dist/ for this one field.
 */
async function releaseTagFromEvent(env) {
    if (env['GITHUB_EVENT_NAME'] !== 'release')
        return undefined;
    const eventPath = env['GITHUB_EVENT_PATH'];
    if (!eventPath)
        return undefined;
    let payload;
    try {
        payload = JSON.parse(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(eventPath, 'utf8'));
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Could not read the release event payload at GITHUB_EVENT_PATH (${eventPath}): ${error.message}. Give 'image' an explicit tag instead.`);
    }
    const tag = payload.release?.tag_name;
    return typeof tag === 'string' && tag !== '' ? tag : undefined;
}


/***/ })

};
