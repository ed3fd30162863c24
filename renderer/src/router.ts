import { createRouter, createWebHashHistory, type Router } from 'vue-router';
import HomeView from './views/HomeView.vue';

/**
 * Hash history: the desktop app loads index.html from file://, where paths cannot be routes; the
 * browser mode works the same way. The workspace, the editor and the settings load on first visit.
 */
export function createAppRouter(): Router {
  return createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/', name: 'home', component: HomeView },
      { path: '/lab/:session', name: 'lab', component: () => import('./views/LabView.vue'), props: true },
      { path: '/edit/:lab', name: 'edit', component: () => import('./views/EditorView.vue'), props: true },
      { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
      { path: '/class', name: 'class', component: () => import('./views/ClassView.vue') },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  });
}
