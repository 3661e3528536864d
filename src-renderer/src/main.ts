import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { startApp } from './state/app.svelte';

startApp();
const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');
mount(App, { target });
