import { createApp } from 'vue'
import 'bootstrap/dist/css/bootstrap.min.css'
// The icon font only (its CSS and woff/woff2), not the per-icon SVG modules.
import 'bootstrap-icons/font/bootstrap-icons.min.css'
import './style.css'
import App from './App.vue'
import { router, sessionLost } from './router'
import { i18n } from './i18n'
import { setUnauthorizedHandler } from './api/http'

// A 401 means the session ended: to the login page, which says why.
setUnauthorizedHandler(() => void sessionLost())

createApp(App).use(i18n).use(router).mount('#app')
