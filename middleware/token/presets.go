package token

import (
	"fmt"
	"strings"
)

// TokenUse is the kind of an AWS Cognito token ("token_use" claim).
type TokenUse string

// Cognito token kinds.
const (
	// CognitoAccess is an access token: its client is in "client_id".
	CognitoAccess TokenUse = "access"
	// CognitoID is an ID token: its client is in "aud".
	CognitoID TokenUse = "id"
)

// Claims that carry groups in tokens of well-known identity providers, for
// use with ClaimGroups.
const (
	CognitoGroupsClaim  = "cognito:groups"
	KeycloakGroupsClaim = "realm_access.roles"
	EntraGroupsClaim    = "groups"
	EntraRolesClaim     = "roles"
)

// Cognito configures a Verifier for an AWS Cognito user pool: the issuer
// https://cognito-idp.{region}.amazonaws.com/{poolID}, its JWKS, the
// token_use claim, and clientID as audience ("client_id" for access tokens,
// "aud" for ID tokens).
func Cognito(region, poolID, clientID string, use TokenUse) Option {
	return func(c *config) {
		if region == "" || poolID == "" || clientID == "" {
			c.errs = append(c.errs, fmt.Errorf("%w: Cognito needs region, pool id and client id", ErrConfig))
			return
		}
		c.issuer = "https://cognito-idp." + region + ".amazonaws.com/" + poolID
		c.jwksURL = c.issuer + "/.well-known/jwks.json"
		c.audiences = []string{clientID}
		// "sub" is in both kinds of Cognito token and never changes;
		// the usernames and the email are not needed, and "email" may be
		// unverified.
		c.identityClaims = []string{"sub"}
		switch use {
		case CognitoAccess:
			c.audienceClaim = "client_id"
		case CognitoID:
			c.audienceClaim = "aud"
		default:
			c.errs = append(c.errs, fmt.Errorf("%w: Cognito token use %q (want %q or %q)", ErrConfig, use, CognitoAccess, CognitoID))
			return
		}
		c.required = append(c.required, [2]string{"token_use", string(use)})
	}
}

// Keycloak configures a Verifier for a Keycloak realm: the issuer
// {baseURL}/realms/{realm}, its certs endpoint, and the audiences. Groups
// are in KeycloakGroupsClaim (use ClaimGroups).
func Keycloak(baseURL, realm string, audience ...string) Option {
	return func(c *config) {
		if baseURL == "" || realm == "" {
			c.errs = append(c.errs, fmt.Errorf("%w: Keycloak needs a base URL and a realm", ErrConfig))
			return
		}
		c.issuer = strings.TrimRight(baseURL, "/") + "/realms/" + realm
		c.jwksURL = c.issuer + "/protocol/openid-connect/certs"
		c.audiences = append([]string(nil), audience...)
	}
}

// EntraID configures a Verifier for Microsoft Entra ID (v2.0 tokens) of a
// tenant: issuer https://login.microsoftonline.com/{tenant}/v2.0, the
// tenant's keys, and the audiences (the application's client id or App ID
// URI). A multi-tenant "common" endpoint is refused: its tokens carry each
// tenant's own issuer, so no single issuer could be checked.
func EntraID(tenantID string, audience ...string) Option {
	return func(c *config) {
		switch tenantID {
		case "", "common", "organizations", "consumers":
			c.errs = append(c.errs, fmt.Errorf("%w: Entra ID needs a tenant id, not %q", ErrConfig, tenantID))
			return
		}
		c.issuer = "https://login.microsoftonline.com/" + tenantID + "/v2.0"
		c.jwksURL = "https://login.microsoftonline.com/" + tenantID + "/discovery/v2.0/keys"
		c.audiences = append([]string(nil), audience...)
		// "oid" is the user's id in the tenant, in ID and access tokens;
		// Microsoft documents "preferred_username" and "email" as mutable
		// and unfit for authorization.
		c.identityClaims = []string{"oid"}
	}
}

// OIDC configures a Verifier for any OpenID Connect provider: the issuer,
// keys found by discovery, and the audiences.
func OIDC(issuer string, audience ...string) Option {
	return func(c *config) {
		c.issuer = issuer
		c.discovery = true
		c.audiences = append([]string(nil), audience...)
	}
}
