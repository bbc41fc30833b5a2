"""XML namespaces of the IDENTIKEY-style SOAP messages (one home, no imports).

The request namespace ``aut`` is documented; the reply's type namespaces
BASIC-TYPES and CREDENTIAL-TYPES appear in a vendor-modelled mock reply
(com.alrayan.wso2.vasco VASCOService), which also binds AUTH-TYPES to the
Authentication namespace itself.
"""

SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
XSD_NS = 'http://www.w3.org/2001/XMLSchema'
XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
AUT_NS = 'http://www.vasco.com/IdentikeyServer/IdentikeyTypes/Authentication'
_TYPES_BASE = 'http://www.vasco.com/IdentikeyServer/IdentikeyTypes/'
BASIC_TYPES_NS = _TYPES_BASE + 'BasicTypes.xsd'
CREDENTIAL_TYPES_NS = _TYPES_BASE + 'CredentialTypes.xsd'
# The prefix AUTH-TYPES names the reply element in a real reply quoted by
# ifad/identikey (AUTH-TYPES:authUserResponse); the mock binds it to AUT_NS.
AUTH_TYPES_NS = AUT_NS

# Operations the server answers, and the element of each reply.
OPERATIONS = {'authUser': 'authUserResponse', 'getChallenge': 'getChallengeResponse'}
