"""An emulated WooCommerce store speaking the real /wp-json/wc/v3 contract.

Entry points: `app.create_app` (the ASGI app), `settings.WooSandboxSettings` (how the store is set
up) and `seed.seed_products` / `seed.seed_orders` (realistic content in the state file).
"""
