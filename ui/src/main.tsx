// Entry point: mount the inbox.
import { render } from 'preact';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
