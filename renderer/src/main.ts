import { createApp } from 'vue';
import App from './App.vue';
import { pickTransport } from './transport';
import './style.css';

createApp(App, { transport: pickTransport() }).mount('#app');
