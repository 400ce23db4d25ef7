// Picking a position on the map for a form: a click on the map puts a draggable marker there (or
// moves it), dragging moves it, and the form's coordinate inputs move it too. While a form picks,
// clicks on the map do not open places or Stadträume.
import L from 'leaflet';

export function createPicker(map) {
  let marker = null;
  let onPick = null;
  let label = '';
  const picker = {
    active: false,
    yieldToPlaces: false,

    /**
     * Starts picking: onPick({lat, lng}) on every click or drag; latlng: the marker's start.
     * yieldToPlaces: a click on a place (or cluster) still opens it; only a click elsewhere picks.
     */
    start(handler, latlng = null, markerLabel = '', { yieldToPlaces = false } = {}) {
      picker.active = true;
      picker.yieldToPlaces = yieldToPlaces;
      onPick = handler;
      label = markerLabel;
      map.getContainer().classList.add('picking');
      if (latlng) picker.set(latlng);
      else if (marker) { marker.remove(); marker = null; }
    },

    stop() {
      picker.active = false;
      picker.yieldToPlaces = false;
      onPick = null;
      map.getContainer().classList.remove('picking');
      if (marker) { marker.remove(); marker = null; }
    },

    /** Puts the marker at latlng (without calling the handler); pan: bring it into view. */
    set(latlng, { pan = false } = {}) {
      if (!picker.active) return;
      const ll = L.latLng(latlng);
      if (!marker) {
        marker = L.marker(ll, {
          draggable: true,
          autoPan: true,
          keyboard: true,
          zIndexOffset: 2000,
          title: label,
          icon: L.divIcon({ className: 'lo-pick', html: '<span></span>', iconSize: [28, 40], iconAnchor: [14, 38] }),
        }).addTo(map);
        const el = marker.getElement();
        if (el) { el.setAttribute('aria-label', label); el.dataset.pick = '1'; }
        marker.on('dragend', () => { if (onPick) onPick(marker.getLatLng()); });
      } else {
        marker.setLatLng(ll);
      }
      if (pan && !map.getBounds().pad(-0.1).contains(ll)) map.panTo(ll);
    },

    /** A click on the map (or on a place marker) while picking. */
    click(latlng) {
      if (!picker.active || !onPick) return false;
      picker.set(latlng);
      onPick(L.latLng(latlng));
      return true;
    },

    latlng() {
      return marker ? marker.getLatLng() : null;
    },
  };
  return picker;
}
