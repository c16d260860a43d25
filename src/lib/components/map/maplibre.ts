import maplibregl from 'maplibre-gl';

// One worker: a second one, tried for tiling the counties, the cities and the outline side by
// side, measured 60–250 ms slower to the first full frame on two cores (the page, the worker and
// the software renderer already share them).
maplibregl.setWorkerCount(1);

export default maplibregl;
