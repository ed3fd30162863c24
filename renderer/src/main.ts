import { createPinia } from 'pinia';
import { createApp, watchEffect } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router';
import { useSettingsStore } from './stores/settings';
import { useTransportStore } from './stores/transport';
import { pickTransport } from './transport';
import './style.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
useTransportStore(pinia).set(pickTransport());

// The theme and language live on <html>: CSS variables switch on data-theme, and lang picks fonts.
const settings = useSettingsStore(pinia);
watchEffect(() => {
  document.documentElement.dataset.theme = settings.theme;
  document.documentElement.lang = settings.language === 'zh' ? 'zh-CN' : 'en';
});

app.use(createAppRouter());
app.mount('#app');
