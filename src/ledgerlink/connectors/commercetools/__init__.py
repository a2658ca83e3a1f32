"""commercetools Composable Commerce as a storefront: OAuth client credentials, the project API, orders."""
