import maplibregl from 'maplibre-gl';

// MapLibre runs a single worker in Chrome: the counties, the cities and the outline were then
// parsed and tiled one after another. Two workers take them side by side.
maplibregl.setWorkerCount(2);

export default maplibregl;
