/**
 * bmcweb's error bodies (redfish-core/src/error_messages.cpp, Base registry 1.8.1):
 * {"error":{"code","message","@Message.ExtendedInfo":[message]}} for most, and
 * {"<Property>@Message.ExtendedInfo":[message]} for the property messages bmcweb files
 * under the property (PropertyUnknown, PropertyMissing, PropertyValueTypeError).
 */
import type { FastifyReply } from "fastify";

const VERSION = "Base.1.8.1.";
const ANNOTATION = "@Message.ExtendedInfo";

interface Message {
  readonly id: string;
  readonly message: string;
  readonly args: readonly string[];
  readonly severity: "Critical" | "Warning" | "OK";
  readonly resolution: string;
}

function json(m: Message): Record<string, unknown> {
  return {
    "@odata.type": "#Message.v1_1_1.Message",
    MessageId: VERSION + m.id,
    Message: m.message,
    MessageArgs: m.args,
    MessageSeverity: m.severity,
    Resolution: m.resolution,
  };
}

export const messages = {
  internalError: (): Message => ({
    id: "InternalError",
    message: "The request failed due to an internal service error.  The service is still operational.",
    args: [],
    severity: "Critical",
    resolution: "Resubmit the request.  If the problem persists, consider resetting the service.",
  }),
  insufficientPrivilege: (): Message => ({
    id: "InsufficientPrivilege",
    message: "There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.",
    args: [],
    severity: "Critical",
    resolution: "Either abandon the operation or change the associated access rights and resubmit the request if the operation failed.",
  }),
  malformedJSON: (): Message => ({
    id: "MalformedJSON",
    message: "The request body submitted was malformed JSON and could not be parsed by the receiving service.",
    args: [],
    severity: "Critical",
    resolution: "Ensure that the request body is valid JSON and resubmit the request.",
  }),
  unrecognizedRequestBody: (): Message => ({
    id: "UnrecognizedRequestBody",
    message: "The service detected a malformed request body that it was unable to interpret.",
    args: [],
    severity: "Warning",
    resolution: "Correct the request body and resubmit the request if it failed.",
  }),
  propertyUnknown: (property: string): Message => ({
    id: "PropertyUnknown",
    message: `The property ${property} is not in the list of valid properties for the resource.`,
    args: [property],
    severity: "Warning",
    resolution: "Remove the unknown property from the request body and resubmit the request if the operation failed.",
  }),
  propertyMissing: (property: string): Message => ({
    id: "PropertyMissing",
    message: `The property ${property} is a required property and must be included in the request.`,
    args: [property],
    severity: "Warning",
    resolution: "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.",
  }),
  propertyValueTypeError: (value: string, property: string): Message => ({
    id: "PropertyValueTypeError",
    message: `The value ${value} for the property ${property} is of a different type than the property can accept.`,
    args: [value, property],
    severity: "Warning",
    resolution: "Correct the value for the property in the request body and resubmit the request if the operation failed.",
  }),
  propertyValueIncorrect: (property: string, value: string): Message => ({
    id: "PropertyValueIncorrect",
    message: `The property '${property}' with the requested value of '${value}' could not be written because the value does not meet the constraints of the implementation.`,
    args: [property, value],
    severity: "Warning",
    resolution: "No resolution is required.",
  }),
  resourceAtUriUnauthorized: (uri: string, detail: string): Message => ({
    id: "ResourceAtUriUnauthorized",
    message: `While accessing the resource at ${uri}, the service received an authorization error ${detail}.`,
    args: [uri, detail],
    severity: "Critical",
    resolution: "Ensure that the appropriate access is provided for the service in order for it to access the URI.",
  }),
  resourceNotFound: (type: string, name: string): Message => ({
    id: "ResourceNotFound",
    message: `The requested resource of type ${type} named ${name} was not found.`,
    args: [type, name],
    severity: "Critical",
    resolution: "Provide a valid resource identifier and resubmit the request.",
  }),
  serviceTemporarilyUnavailable: (seconds: string): Message => ({
    id: "ServiceTemporarilyUnavailable",
    message: `The service is temporarily unavailable.  Retry in ${seconds} seconds.`,
    args: [seconds],
    severity: "Critical",
    resolution: "Wait for the indicated retry duration and retry the operation.",
  }),
} as const;

/** {"error": {...}} as bmcweb's addMessageToErrorJson writes it. */
export function errorBody(message: Message): Record<string, unknown> {
  return { error: { "@Message.ExtendedInfo": [json(message)], code: VERSION + message.id, message: message.message } };
}

/** {"<property>@Message.ExtendedInfo": [...]} as bmcweb's addMessageToJson writes it. */
export function propertyBody(property: string, message: Message): Record<string, unknown> {
  return { [`${property}${ANNOTATION}`]: [json(message)] };
}

export function sendError(reply: FastifyReply, status: number, message: Message): FastifyReply {
  return reply.code(status).type("application/json").send(errorBody(message));
}

export function sendPropertyError(reply: FastifyReply, property: string, message: Message): FastifyReply {
  return reply.code(400).type("application/json").send(propertyBody(property, message));
}
