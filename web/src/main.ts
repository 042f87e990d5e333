import { createApp } from 'vue'
import 'bootstrap/dist/css/bootstrap.min.css'
// The icon font only (its CSS and woff/woff2), not the per-icon SVG modules.
import 'bootstrap-icons/font/bootstrap-icons.min.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setUnauthorizedHandler } from './api/http'
import { session } from './session'

setUnauthorizedHandler(() => {
  session.user = null
  if (router.currentRoute.value.name !== 'login')
    router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } })
})

createApp(App).use(i18n).use(router).mount('#app')
