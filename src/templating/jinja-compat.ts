/** The Jinja2 compatibility layer over nunjucks; it lives in ./jinja/ (see ./jinja/index.ts). */
export { preprocessJinja, installJinjaCompat } from './jinja/index.js';
