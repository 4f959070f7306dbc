/** The console's entry point: esbuild bundles this (scripts/build-web.ts) for index.html to load. */
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) render(<App />, root);
