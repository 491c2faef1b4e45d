/** Job collections as classic Service Management XML resources and as ARM resources. */

import { collectionArmId, PROVIDER, type ArmScope } from './arm-shapes.js';
import type { CollectionState } from './collection-ops.js';
import { maxRecurrenceOf, type MaxRecurrence } from './collection-meta.js';
import type { Json } from './values.js';
import { xmlElement } from './xml.js';

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function maxRecurrence(s: CollectionState): MaxRecurrence | null {
  return maxRecurrenceOf(s.collection.minInterval);
}

/** The `<IntrinsicSettings>` of a collection: its plan and quota. */
function intrinsicSettings(s: CollectionState): string {
  const quota: string[] = [];
  if (s.collection.maxJobs !== null) quota.push(xmlElement('MaxJobCount', String(s.collection.maxJobs)));
  if (s.meta.maxJobOccurrence !== undefined) quota.push(xmlElement('MaxJobOccurrence', String(s.meta.maxJobOccurrence)));
  const r = maxRecurrence(s);
  if (r) quota.push(xmlElement('MaxRecurrence', [xmlElement('Frequency', pascal(r.frequency)), xmlElement('Interval', String(r.interval))]));
  return xmlElement('IntrinsicSettings', [xmlElement('Plan', s.meta.plan), ...(quota.length ? [xmlElement('Quota', quota)] : [])]);
}

/** The elements of a classic job collection resource (GET job collection, and in a cloud service). */
export function classicResourceElements(s: CollectionState, inCloudService: boolean): string[] {
  const name = xmlElement('Name', s.collection.name);
  const common = [
    xmlElement('ETag', s.etag),
    intrinsicSettings(s),
    ...(inCloudService ? [] : [name]),
    xmlElement('OperationStatus', [xmlElement('Error', [xmlElement('HttpCode', '200'), xmlElement('Message', 'OK')]), xmlElement('Result', 'Succeeded')]),
    xmlElement('PromotionCode', null),
    xmlElement('SchemaVersion', '1.1'),
    xmlElement('State', s.disabled ? 'Stopped' : 'Started'),
    xmlElement('SubState', null),
  ];
  if (inCloudService) return [xmlElement('ResourceProviderNamespace', 'scheduler'), xmlElement('Type', 'jobcollections'), name, ...common];
  return [xmlElement('CloudServiceSettings', [xmlElement('GeoRegion', s.meta.location ?? 'sked')]), ...common, xmlElement('Type', 'jobcollections')];
}

export function classicCollectionXml(s: CollectionState): string {
  return xmlElement('Resource', classicResourceElements(s, false), true);
}

export function armCollection(scope: ArmScope, s: CollectionState): Json {
  const quota: Json = {};
  if (s.collection.maxJobs !== null) quota['maxJobCount'] = s.collection.maxJobs;
  if (s.meta.maxJobOccurrence !== undefined) quota['maxJobOccurrence'] = s.meta.maxJobOccurrence;
  const r = maxRecurrence(s);
  if (r) quota['maxRecurrence'] = { frequency: pascal(r.frequency), interval: r.interval };
  return {
    id: collectionArmId(scope, s.collection.name),
    type: `${PROVIDER}/jobCollections`,
    name: s.collection.name,
    location: s.meta.location ?? 'global',
    tags: s.meta.tags ?? {},
    properties: { sku: { name: s.meta.plan }, state: s.disabled ? 'Disabled' : 'Enabled', quota },
  };
}
