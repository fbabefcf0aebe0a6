/**
 * The SAL components known to ts_xml, with their index rules: which names take an index and, where the
 * index values are fixed, which ones exist.
 * Source: lsst-ts/ts_xml @a724e1ac (v28.0.1+), python/lsst/ts/xml/data/sal_interfaces/SALSubsystems.xml
 * (IndexEnumeration) and python/lsst/ts/xml/enums SalIndex, as gathered in data/observatory/sal-subsystems.yaml.
 *
 * NOTE: an IndexEnumeration of names ("MainTel,AuxTel,OCS") means indices 1..n only for the components whose
 * enums say so (ScriptQueue, Scheduler, MTHexapod, MTVMS, MTAirCompressor, LaserTracker, OCPS with RA=101,
 * DSM pinned). Electrometer, LinearStage, FiberSpectrograph and GenericCamera are deployed at indices their
 * enumeration does not list (101..104, 201, 3, 101, 102), so for them any index is accepted here and the site
 * inventory decides what exists.
 */
export interface Component {
  readonly name: string;
  /** Whether the name takes an index (`ScriptQueue:1`) or not (`Watcher`). */
  readonly indexed: boolean;
  /** The only valid indices, where they are fixed; absent when any index may be used. */
  readonly indices?: readonly number[];
  /** Whether it is a CSC (AlarmRule, LOVE and Script are SAL components but not CSCs). */
  readonly isCsc: boolean;
}

const table: Component[] = [
  { name: "AlarmRule", indexed: true, isCsc: false },
  { name: "ATAOS", indexed: false, isCsc: true },
  { name: "MTAirCompressor", indexed: true, indices: [1, 2], isCsc: true },
  { name: "ATBuilding", indexed: false, isCsc: true },
  { name: "ATCamera", indexed: false, isCsc: true },
  { name: "ATDome", indexed: false, isCsc: true },
  { name: "ATDomeTrajectory", indexed: false, isCsc: true },
  { name: "ATHeaderService", indexed: false, isCsc: true },
  { name: "ATHexapod", indexed: false, isCsc: true },
  { name: "ATMCS", indexed: false, isCsc: true },
  { name: "ATMonochromator", indexed: false, isCsc: true },
  { name: "ATOODS", indexed: false, isCsc: true },
  { name: "ATPneumatics", indexed: false, isCsc: true },
  { name: "ATPtg", indexed: false, isCsc: true },
  { name: "ATSpectrograph", indexed: false, isCsc: true },
  { name: "ATWhiteLight", indexed: false, isCsc: true },
  { name: "GCHeaderService", indexed: true, isCsc: true },
  { name: "CCCamera", indexed: false, isCsc: true },
  { name: "CCHeaderService", indexed: false, isCsc: true },
  { name: "CCOODS", indexed: false, isCsc: true },
  { name: "CBP", indexed: false, isCsc: true },
  { name: "DIMM", indexed: true, isCsc: true },
  { name: "DREAM", indexed: true, isCsc: true },
  { name: "DSM", indexed: true, indices: [1, 2], isCsc: true },
  { name: "EAS", indexed: false, isCsc: true },
  { name: "Electrometer", indexed: true, isCsc: true },
  { name: "ESS", indexed: true, isCsc: true },
  { name: "FiberSpectrograph", indexed: true, isCsc: true },
  { name: "GenericCamera", indexed: true, isCsc: true },
  { name: "GIS", indexed: false, isCsc: true },
  { name: "Guider", indexed: true, indices: [1, 2], isCsc: true },
  { name: "HVAC", indexed: false, isCsc: true },
  { name: "LaserTracker", indexed: true, indices: [1, 2], isCsc: true },
  { name: "LEDProjector", indexed: false, isCsc: true },
  { name: "LinearStage", indexed: true, isCsc: true },
  { name: "LOVE", indexed: false, isCsc: false },
  { name: "MOSS", indexed: false, isCsc: true },
  { name: "MTAOS", indexed: false, isCsc: true },
  { name: "MTCamera", indexed: false, isCsc: true },
  { name: "MTDome", indexed: false, isCsc: true },
  { name: "MTDomeTrajectory", indexed: false, isCsc: true },
  { name: "MTHeaderService", indexed: false, isCsc: true },
  { name: "MTHexapod", indexed: true, indices: [1, 2], isCsc: true },
  { name: "MTM1M3", indexed: false, isCsc: true },
  { name: "MTM1M3TS", indexed: false, isCsc: true },
  { name: "MTM2", indexed: false, isCsc: true },
  { name: "MTMount", indexed: false, isCsc: true },
  { name: "MTOODS", indexed: false, isCsc: true },
  { name: "MTPtg", indexed: false, isCsc: true },
  { name: "MTRotator", indexed: false, isCsc: true },
  { name: "MTVMS", indexed: true, indices: [1, 2, 3], isCsc: true },
  { name: "OCPS", indexed: true, indices: [1, 2, 3, 101], isCsc: true },
  { name: "PMD", indexed: true, isCsc: true },
  { name: "MTReflector", indexed: false, isCsc: true },
  { name: "Scheduler", indexed: true, indices: [1, 2, 3], isCsc: true },
  { name: "Script", indexed: true, isCsc: false },
  { name: "ScriptQueue", indexed: true, indices: [1, 2, 3], isCsc: true },
  { name: "SummitFacility", indexed: false, isCsc: true },
  { name: "Test", indexed: true, isCsc: true },
  { name: "TunableLaser", indexed: false, isCsc: true },
  { name: "Watcher", indexed: false, isCsc: true },
  { name: "WeatherForecast", indexed: false, isCsc: true },
  { name: "WFOODS", indexed: false, isCsc: true },
];

export const COMPONENTS: ReadonlyMap<string, Component> = new Map(table.map((c) => [c.name, c]));
